/** Starting and stopping a whole shop on a throw-away embedded log for end-to-end tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbeddedBackend, type Backend, type Logger } from '@tributary/streams';
import type { Email } from '../src/email/email-sender.js';
import { startShop, type RunningShop } from '../src/shop.js';

export const quietLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `shop-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface TestShop {
  readonly shop: RunningShop;
  /** What the email service sent. */
  readonly emails: Email[];
  readonly backend: Backend;
  close(): Promise<void>;
}

/** Every service plus the API on the embedded log in `dir` (durable, so a second start sees the first's data). */
export async function startTestShop(dir: string): Promise<TestShop> {
  const backend = createEmbeddedBackend({ dataDir: join(dir, 'log') });
  const emails: Email[] = [];
  const shop = await startShop({
    backend,
    stateDir: join(dir, 'state'),
    logger: quietLogger,
    commitIntervalMs: 50,
    emailSender: { send: (email) => emails.push(email) },
  });
  for (const app of shop.apps.values()) await app.waitForRunning(30_000);
  return {
    shop,
    emails,
    backend,
    close: async () => {
      await shop.close();
      await backend.close();
    },
  };
}
