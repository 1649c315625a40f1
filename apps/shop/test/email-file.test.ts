/**
 * The default email sink's file is bounded: rotated at a size, a bounded number of rotated files kept, every line
 * whole in exactly one file, and the limits come from the environment.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { composeEmail, fileEmailSender } from '../src/email/email-sender.js';
import { RotatingFile } from '../src/email/rotating-file.js';

function withDir(run: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'shop-email-'));
  try {
    run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const line = (i: number): string => `${JSON.stringify({ n: i, pad: 'x'.repeat(40) })}\n`;

describe('email file rotation', () => {
  it('rotates at maxBytes, keeps `keep` rotated files newest first, and loses no line of those kept', () => {
    withDir((dir) => {
      const path = join(dir, 'emails.jsonl');
      const file = new RotatingFile(path, { maxBytes: 1000, keep: 2 });
      const lineBytes = Buffer.byteLength(line(0));
      const perFile = Math.floor(1000 / lineBytes);
      const total = perFile * 5 + 3;
      for (let i = 0; i < total; i++) file.append(line(i));
      file.close();

      assert.deepEqual(readdirSync(dir).sort(), ['emails.jsonl', 'emails.jsonl.1', 'emails.jsonl.2']);
      for (const name of readdirSync(dir)) assert.ok(statSync(join(dir, name)).size <= 1000, `${name} is within maxBytes`);
      // Oldest kept first: path.2, path.1, then the live file, consecutive and ending with the last line written.
      const numbers = ['emails.jsonl.2', 'emails.jsonl.1', 'emails.jsonl'].flatMap((name) =>
        readFileSync(join(dir, name), 'utf8')
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => (JSON.parse(l) as { n: number }).n),
      );
      assert.equal(numbers.at(-1), total - 1);
      assert.deepEqual(numbers, Array.from({ length: numbers.length }, (_, i) => total - numbers.length + i));
      assert.equal(numbers.length, perFile * 2 + 3);
    });
  });

  it('keep 0 deletes the full file; a line longer than maxBytes is written whole', () => {
    withDir((dir) => {
      const path = join(dir, 'sent.jsonl');
      const file = new RotatingFile(path, { maxBytes: 100, keep: 0 });
      file.append(line(1));
      file.append(line(2));
      const long = `${'y'.repeat(300)}\n`;
      file.append(long);
      file.close();
      assert.deepEqual(readdirSync(dir), ['sent.jsonl']);
      assert.equal(readFileSync(path, 'utf8'), long);
    });
  });

  it('continues an existing file, counting its size', () => {
    withDir((dir) => {
      const path = join(dir, 'emails.jsonl');
      writeFileSync(path, 'z'.repeat(90));
      const file = new RotatingFile(path, { maxBytes: 100, keep: 1 });
      file.append('0123456789\n');
      file.close();
      assert.equal(readFileSync(`${path}.1`, 'utf8'), 'z'.repeat(90));
      assert.equal(readFileSync(path, 'utf8'), '0123456789\n');
    });
  });

  it('the shop sender writes one JSON line per email under the limits it is given', () => {
    withDir((dir) => {
      const path = join(dir, 'emails.jsonl');
      const sender = fileEmailSender(path, { maxBytes: 2048, keep: 1 });
      const customer = { id: 1, firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', address: 'London', level: 'gold' as const };
      for (let i = 0; i < 20; i++) {
        const order = { id: `o${i}`, customerId: 1, state: 'CREATED' as const, product: 'JUMPERS', quantity: 1, price: 10 };
        sender.send(composeEmail(order, { id: `p${i}`, orderId: `o${i}`, ccy: 'EUR', amount: 10 }, customer));
      }
      sender.close();
      assert.ok(existsSync(`${path}.1`));
      assert.ok(!existsSync(`${path}.2`));
      const last = readFileSync(path, 'utf8').trim().split('\n').at(-1) ?? '';
      assert.equal((JSON.parse(last) as { order: { id: string } }).order.id, 'o19');
    });
  });

  it('reads EMAIL_FILE_MAX_BYTES and EMAIL_FILES_KEPT, with defaults, and rejects bad values', () => {
    const defaults = loadConfig({});
    assert.equal(defaults.emailFileMaxBytes, 64 * 1024 * 1024);
    assert.equal(defaults.emailFilesKept, 4);
    const set = loadConfig({ EMAIL_FILE_MAX_BYTES: '1048576', EMAIL_FILES_KEPT: '0' });
    assert.equal(set.emailFileMaxBytes, 1_048_576);
    assert.equal(set.emailFilesKept, 0);
    assert.throws(() => loadConfig({ EMAIL_FILE_MAX_BYTES: '10' }), /EMAIL_FILE_MAX_BYTES must be at least 1024/);
    assert.throws(() => loadConfig({ EMAIL_FILES_KEPT: '-1' }), /EMAIL_FILES_KEPT must be 0 or more/);
  });
});
