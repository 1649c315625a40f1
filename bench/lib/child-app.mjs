/**
 * What the benchmark's long-running child apps share (tributary-app.mjs, string-app.mjs, flow-app.mjs): a logger that
 * keeps stderr for warnings and errors, the `STATE <name>` lines the harness waits on, and closing on SIGTERM.
 */

/** Tributary's logger interface: info and debug dropped (they would cost time inside the measurement). */
export const quietLogger = {
  info: () => undefined,
  debug: () => undefined,
  warn: (obj, msg) => console.error('WARN', msg ?? '', JSON.stringify(obj)),
  error: (obj, msg) => console.error('ERROR', msg ?? '', JSON.stringify(obj)),
};

/** Prints every state change of a Tributary app as `STATE <name>`; ERROR makes the exit code 1. */
export function printStates(app) {
  app.setStateListener((state) => {
    console.log(`STATE ${state}`);
    if (state === 'ERROR') process.exitCode = 1;
  });
}

/**
 * On SIGTERM or SIGINT (once): prints `report()`'s line, closes the app and exits with the exit code set so far. The
 * report comes first so that it covers the measured run, not the close.
 */
export function closeOnSignal(app, report) {
  let closing = false;
  async function shutdown() {
    if (closing) return;
    closing = true;
    console.log(report());
    try {
      await app.close();
    } finally {
      process.exit(process.exitCode ?? 0);
    }
  }
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
}
