/**
 * One flipped byte in the middle of the orders data (the embedded log under `DATA_DIR/log`) after a clean stop: the
 * next start refuses with an error naming the damaged file and the command that repairs it, instead of cutting the
 * log short and losing orders that were answered `201`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readdirSync, readSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Order } from '../src/schemas.js';
import { runId, startTestShop, tempDir, uniqueCustomerId } from './support.js';

const ORDERS = 40;

/** The largest segment file of the orders topic: the one whose middle surely holds an order. */
function largestOrdersSegment(dataDir: string): string {
  const topic = join(dataDir, 'log', 'topics', 'orders');
  const files = readdirSync(topic).flatMap((partition) =>
    readdirSync(join(topic, partition))
      .filter((name) => name.endsWith('.log'))
      .map((name) => join(topic, partition, name)),
  );
  return files.sort((a, b) => statSync(b).size - statSync(a).size)[0]!;
}

function flipByte(file: string, position: number): void {
  const fd = openSync(file, 'r+');
  try {
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, position);
    byte[0] = byte[0]! ^ 0xff;
    writeSync(fd, byte, 0, 1, position);
  } finally {
    closeSync(fd);
  }
}

describe('a damaged orders log', () => {
  it('stops the next start with an error naming the file and the repair command', async () => {
    const dir = tempDir('shop-corrupt');
    try {
      const first = await startTestShop(dir.path);
      try {
        const call = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> => {
          const res = await first.shop.server.inject({ method, url, ...(payload ? { payload } : {}) });
          return { status: res.statusCode, body: res.json() as Record<string, unknown> };
        };
        assert.equal((await call('PUT', '/v1/inventory/JUMPERS', { quantity: 1000 })).status, 200);
        const orders: Array<Omit<Order, 'state'>> = Array.from({ length: ORDERS }, (_, i) => ({
          id: `corrupt-${runId}-${i}`,
          customerId: uniqueCustomerId(),
          product: 'JUMPERS',
          quantity: 1,
          price: 10,
        }));
        for (const order of orders) assert.equal((await call('POST', '/v1/orders', order)).status, 201);
        for (const order of orders) {
          const outcome = await call('GET', `/v1/orders/${order.id}/validated?timeout=60000`);
          assert.equal(outcome.body['state'], 'VALIDATED');
        }
      } finally {
        await first.close();
      }

      const file = largestOrdersSegment(dir.path);
      const size = statSync(file).size;
      assert.ok(size > 1000, `${file} holds ${size} bytes`);
      flipByte(file, Math.floor(size / 2));

      // The log is opened as the backend is created, before anything starts: the error comes at once.
      await assert.rejects(async () => startTestShop(dir.path), (error: Error) => {
        assert.equal(error.name, 'CorruptLogError');
        assert.match(error.message, new RegExp(file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
        assert.match(error.message, /tributary-log repair/);
        return true;
      });
      // Refusing changed nothing: the damaged file is still all there.
      assert.equal(statSync(file).size, size);
    } finally {
      dir.remove();
    }
  });
});
