/**
 * The operations console in a real browser: Debian's Chromium, headless, driven by playwright-core, against a whole
 * shop on the embedded log. Each screen is used as an operator would (forms, buttons, the keyboard) and saved as a
 * screenshot in `apps/shop/test-artifacts/console/` (ignored by git; the README's pictures are copies). Chromium is a
 * CI dependency (.ci/run installs it): this test fails rather than skips when it is missing.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser, type Page } from 'playwright-core';
import { deadLetterTopic, TOPICS } from '../src/topics.js';
import { APP_IDS } from '../src/app-ids.js';
import { runId, startTestShop, tempDir, uniqueCustomerId, writeRaw, type TestShop } from './support.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const ARTIFACTS = new URL('../test-artifacts/console/', import.meta.url);

/** Every form control on the page without a label (explicit `for`, wrapping label, or aria-label). */
function unlabelled(page: Page): Promise<string[]> {
  // A string, run in the page: the test's own TypeScript has no DOM types.
  return page.evaluate<string[]>(
    `[...document.querySelectorAll('input, select, textarea')].filter((c) => c.labels.length === 0 && !c.getAttribute('aria-label')).map((c) => c.outerHTML)`,
  );
}

describe('console in a browser (embedded)', () => {
  const dir = tempDir('console-browser');
  let shop: TestShop;
  let browser: Browser;
  let page: Page;
  let base: string;
  const orderId = `browser-${runId}`;
  const garbledKey = `garbled-browser-${runId}`;

  const screenshot = async (name: string): Promise<void> => {
    await page.screenshot({ path: join(ARTIFACTS.pathname, `${name}.png`) });
  };

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    shop = await startTestShop(dir.path);
    base = await shop.shop.server.listen({ port: 0, host: '127.0.0.1' });
    assert.equal((await shop.shop.server.inject({ method: 'PUT', url: '/v1/inventory/JUMPERS', payload: { quantity: 100 } })).statusCode, 200);
    const posted = await shop.shop.server.inject({ method: 'POST', url: '/v1/orders', payload: { id: orderId, customerId: uniqueCustomerId(), product: 'JUMPERS', quantity: 3, price: 12 } });
    assert.equal(posted.statusCode, 201);
    const outcome = await shop.shop.server.inject({ method: 'GET', url: `/v1/orders/${orderId}/validated?timeout=30000` });
    assert.equal(outcome.json<{ state: string }>().state, 'VALIDATED');
    await writeRaw(shop.backend, TOPICS.orders, garbledKey, 'not json');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
  });
  after(async () => {
    await browser?.close();
    await shop?.close();
    dir.remove();
  });

  it('applications: live cards of every app, reachable by keyboard', async () => {
    await page.goto(`${base}/console`);
    assert.equal(new URL(page.url()).pathname, '/console/applications');
    await page.keyboard.press('Tab');
    assert.equal(await page.locator(':focus').textContent(), 'Skip to content');
    await page.keyboard.press('Tab');
    assert.equal(await page.locator(':focus').textContent(), 'Applications');
    await page.getByRole('row', { name: /^validations-aggregator RUNNING/ }).waitFor();
    await page.getByRole('row', { name: /^order-details RUNNING/ }).waitFor();
    // Details survive the once-a-second re-rendering once opened.
    await page.locator('summary', { hasText: 'order-details' }).click();
    await page.getByRole('table', { name: 'order-details: lag per input partition' }).waitFor();
    await page.waitForTimeout(1500);
    assert.ok(await page.getByRole('table', { name: 'order-details: lag per input partition' }).isVisible());
    assert.match(await page.locator('#status').innerText(), /Live/);
    assert.equal(await page.getByRole('link', { name: 'Applications' }).getAttribute('aria-current'), 'page');
    await screenshot('applications');
  });

  it('topology: the graph of an app, its nodes focusable', async () => {
    await page.goto(`${base}/console/topology`);
    await page.getByLabel('Application').selectOption('fraud');
    await page.getByRole('button', { name: 'Draw' }).click();
    await page.locator('#status', { hasText: 'Drew fraud' }).waitFor();
    assert.ok((await page.locator('#graph g.node').count()) >= 8);
    await page.locator('#graph g[aria-label="store fraud-session-totals"]').waitFor();
    // The next stop after the Draw button is the graph's first node.
    await page.getByRole('button', { name: 'Draw' }).focus();
    await page.keyboard.press('Tab');
    assert.match((await page.locator(':focus').getAttribute('aria-label')) ?? '', /^(topic|source|processor|sink|store|internal topic) /);
    assert.match(await page.locator('#text').textContent() ?? '', /Sub-topology: 0/);
    await page.locator('#live', { hasText: /^fraud: RUNNING, [0-9.]+ records\/s, [1-9][0-9]* records processed/ }).waitFor();
    await screenshot('topology');
  });

  it('topics: offsets of every topic and a filtered tail', async () => {
    await page.goto(`${base}/console/topics`);
    await page.locator('#topics td', { hasText: /^orders$/ }).waitFor();
    assert.deepEqual(await unlabelled(page), []);
    await page.getByLabel('Topic', { exact: true }).selectOption(TOPICS.orders);
    await page.getByLabel('Key', { exact: true }).fill(orderId);
    await page.getByRole('button', { name: 'Show records' }).click();
    await page.locator('#records caption', { hasText: `2 records of ${TOPICS.orders}` }).waitFor();
    assert.match(await page.locator('#records tbody tr').first().innerText(), /VALIDATED/);
    await screenshot('topics');
  });

  it('stores: a key looked up in a key-value store', async () => {
    await page.goto(`${base}/console/stores`);
    assert.deepEqual(await unlabelled(page), []);
    await page.getByLabel('Store').selectOption('inventory/inventory-stock');
    await page.getByLabel('Key', { exact: true }).fill('JUMPERS');
    await page.getByRole('button', { name: 'Browse' }).click();
    await page.locator('#entries caption', { hasText: '1 entries of inventory-stock' }).waitFor();
    assert.equal(await page.locator('#entries tbody td').first().innerText(), '"JUMPERS"');
    // No key: the first entries, here of the orders view (values are the orders as JSON).
    await page.getByLabel('Store').selectOption('orders/orders-view');
    await page.getByLabel('Key', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Browse' }).click();
    await page.locator('#entries caption', { hasText: /^1 entries of orders-view/ }).waitFor();
    assert.match(await page.locator('#entries tbody').innerText(), /VALIDATED/);
    await screenshot('stores');
  });

  it('dead letters: the error headers, and a redrive by checkbox and button', async () => {
    await page.goto(`${base}/console/dead-letters`);
    await page.getByLabel('Dead-letter topic').selectOption(deadLetterTopic(APP_IDS.orderDetails));
    await page.getByLabel('Key').fill(garbledKey);
    const show = page.getByRole('button', { name: 'Show dead letters' });
    // The service sets the record aside asynchronously: look again until it is there.
    for (let i = 0; i < 100 && !(await page.locator('#letters caption', { hasText: /^1 dead letters/ }).isVisible()); i++) {
      await show.click();
      await page.waitForTimeout(200);
    }
    assert.match(await page.locator('#letters tbody').innerText(), /JSON|Unexpected token/);
    assert.deepEqual(await unlabelled(page), []);
    await page.getByLabel(new RegExp(`select ${garbledKey}`)).check();
    await page.getByRole('button', { name: 'Redrive selected' }).click();
    await page.locator('#status', { hasText: 'Redriven 1 record(s) to orders; skipped 0.' }).waitFor();
    await screenshot('dead-letters');
  });

  it('order flow: an order watched live from POST to VALIDATED, with timings', async () => {
    await page.goto(`${base}/console/flow`);
    const id = `${orderId}-watched`;
    await page.getByLabel('Order id').fill(id);
    await page.getByRole('button', { name: 'Watch live' }).click();
    await page.locator('#status', { hasText: 'post the order now' }).waitFor();
    const posted = await shop.shop.server.inject({ method: 'POST', url: '/v1/orders', payload: { id, customerId: uniqueCustomerId(), product: 'JUMPERS', quantity: 1, price: 7 } });
    assert.equal(posted.statusCode, 201);
    await page.locator('#status', { hasText: `Order ${id} reached its outcome in` }).waitFor({ timeout: 60_000 });
    const rows = await page.locator('#flow tbody tr').allInnerTexts();
    assert.match(rows[0] ?? '', /orders.*CREATED/s);
    assert.equal(rows.filter((r) => /order-validations/.test(r)).length, 3);
    assert.match(rows.at(-1) ?? '', /orders.*VALIDATED/s);
    await screenshot('flow');
  });
});
