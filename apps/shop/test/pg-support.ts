/**
 * A throw-away PostgreSQL for a test file, started through tools/pg/pg.sh (which installs Debian's package when
 * missing and runs the server as an unprivileged user when the tests run as root) on a free port, with a fresh
 * cluster, destroyed afterwards.
 */
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const script = join(repoRoot, 'tools', 'pg', 'pg.sh');

export interface TestPostgres {
  readonly url: string;
  readonly port: number;
  stop(): void;
  start(): void;
  /** Stops the server and deletes its cluster. */
  destroy(): void;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

function run(env: NodeJS.ProcessEnv, command: string): void {
  const result = spawnSync('bash', [script, command], { env, encoding: 'utf8', timeout: 600_000 });
  if (result.status !== 0) throw new Error(`pg.sh ${command} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
}

export async function startTestPostgres(): Promise<TestPostgres> {
  let port = 15500 + (process.pid % 400);
  while (!(await portFree(port))) port += 1;
  const env: NodeJS.ProcessEnv = { ...process.env, PG_PORT: String(port) };
  delete env['PG_DATA_DIR'];
  run(env, 'destroy');
  run(env, 'start');
  return {
    url: `postgres://tributary@127.0.0.1:${port}/tributary`,
    port,
    stop: () => run(env, 'stop'),
    start: () => run(env, 'start'),
    destroy: () => run(env, 'destroy'),
  };
}
