import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RestoreRecord, StateStore, StateStoreContext } from '../../src/state/store.js';

export interface LoggedChange {
  store: string;
  key: Buffer;
  value: Buffer | null;
  timestamp: number;
}

/** A StateStoreContext that records what stores log and register; `now` is the current record timestamp. */
export class FakeStoreContext implements StateStoreContext {
  readonly applicationId = 'app';
  readonly taskId = '0_0';
  readonly logged: LoggedChange[] = [];
  readonly registered = new Map<string, { store: StateStore; restore: (batch: ReadonlyArray<RestoreRecord>) => void }>();
  now = 1000;

  constructor(readonly taskDir: string) {}

  logChange(store: string, key: Buffer, value: Buffer | null, timestamp: number): void {
    this.logged.push({ store, key, value, timestamp });
  }

  register(store: StateStore, restore: (batch: ReadonlyArray<RestoreRecord>) => void): void {
    this.registered.set(store.name, { store, restore });
  }

  currentTimestamp(): number {
    return this.now;
  }

  restore(storeName: string, batch: ReadonlyArray<RestoreRecord>): void {
    const entry = this.registered.get(storeName);
    if (entry === undefined) throw new Error(`store ${storeName} not registered`);
    entry.restore(batch);
  }
}

export function tempDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'tributary-state-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export const b = (...bytes: number[]): Buffer => Buffer.from(bytes);
export const s = (text: string): Buffer => Buffer.from(text, 'utf8');
