/** Node-style callback APIs (librdkafka's) as promises. */
export function call(fn) {
  return new Promise((resolve, reject) => fn((err, result) => (err ? reject(err) : resolve(result))));
}
