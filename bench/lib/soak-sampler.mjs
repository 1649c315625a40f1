/**
 * Loaded into the shop under the soak benchmark (`node --import`): every 2 s writes the process's JavaScript memory
 * (`process.memoryUsage()`) to the file named by SOAK_MEMORY_FILE, which the harness reads at each of its samples.
 * The harness reads RSS itself from /proc; the heap figures are only visible from inside.
 */
import { renameSync, writeFileSync } from 'node:fs';

const file = process.env.SOAK_MEMORY_FILE;
if (file) {
  const write = () => {
    const m = process.memoryUsage();
    const line = JSON.stringify({ at: Date.now(), heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers });
    // Written aside and renamed, so the harness never reads half a line.
    writeFileSync(`${file}.tmp`, line);
    renameSync(`${file}.tmp`, file);
  };
  write();
  setInterval(write, 2_000).unref();
}
