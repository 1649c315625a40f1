/** Starts, watches and kills fault-test workers (see worker.ts). */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface WorkerEvent {
  readonly event: string;
  readonly state?: string;
  readonly tasks?: string[];
  readonly processedRecords?: number;
  readonly [key: string]: unknown;
}

export class WorkerProcess {
  readonly events: WorkerEvent[] = [];
  private readonly child: ChildProcess;
  private exited = false;

  constructor(config: object, readonly label: string) {
    const script = fileURLToPath(new URL('./worker.ts', import.meta.url));
    this.child = spawn(process.execPath, ['--import', 'tsx', script], {
      env: { ...process.env, WORKER_CONFIG: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffer = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        try {
          this.events.push(JSON.parse(line) as WorkerEvent);
        } catch {
          // Not an event line (e.g. a stray log): ignore.
        }
      }
    });
    this.child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(`[${label}] ${chunk.toString()}`));
    this.child.on('exit', () => {
      this.exited = true;
    });
  }

  get running(): boolean {
    return !this.exited;
  }

  lastMetrics(): WorkerEvent | undefined {
    for (let i = this.events.length - 1; i >= 0; i--) if (this.events[i]?.event === 'metrics') return this.events[i];
    return undefined;
  }

  async waitFor(predicate: (w: WorkerProcess) => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      if (this.exited) throw new Error(`${this.label} exited while waiting for ${what}: ${JSON.stringify(this.events.slice(-5))}`);
      if (Date.now() > deadline) throw new Error(`${this.label}: timed out waiting for ${what}: ${JSON.stringify(this.events.slice(-3))}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  kill(signal: NodeJS.Signals): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill(signal);
    });
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
    await done;
    clearTimeout(timer);
  }
}
