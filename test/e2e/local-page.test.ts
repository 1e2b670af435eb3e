// The local page in a real browser: Chromium (CHROMIUM_PATH, else the npm package's) driven by playwright-core,
// against the stack filled with the samples. Set UPDATE_SCREENSHOT=1 to refresh docs/screenshot.png (otherwise the shot goes to a temp dir).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATEGORIES } from '../../lambdas/domain/classification.ts';
import { loadLambdaHandlers } from '../../local/lambdas.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { loadDemoIfEmpty } from '../../local/start.ts';
import { chromiumExecutable } from '../support/chromium.ts';

const ROOT = join(import.meta.dirname, '..', '..');
// Flags for a sandboxed, offline CI machine: no background connections Chromium would make on its own.
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

let stack: LocalStack;
let browser: Browser;
let page: Page;
let shotDir: string;
let demoCount = 0;
const pageErrors: string[] = [];

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    loadHandlers: loadLambdaHandlers,
    retryDelayMs: 50,
    // Every delivery kept (deliveryHistory all): the samples' deliveries are listed with the other events.
    environment: {
      SUPPRESSION_RATE_PER_SECOND: '100',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      DELIVERY_HISTORY: 'all',
    },
  });
  // The same demo fill `npm start` does on an empty store.
  demoCount = await loadDemoIfEmpty(stack, () => undefined);
  shotDir = await mkdtemp(join(tmpdir(), 'local-page-'));
  browser = await chromium.launch({
    executablePath: await chromiumExecutable(),
    headless: true,
    // Playwright gives each launch a new, empty profile directory of its own.
    args: CHROMIUM_FLAGS,
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    // A 404 from the never-seen lookup is the API answering as designed; anything else is a fault.
    const expected404 =
      message.text().includes('status of 404') && message.location().url.includes('/recipients/');
    if (message.type() === 'error' && !expected404)
      pageErrors.push(`${message.text()} (${message.location().url})`);
  });
  await page.goto(`${stack.url}/`);
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  if (shotDir) await rm(shotDir, { recursive: true, force: true });
});

describe('local page in Chromium', () => {
  it('starts from the demo data npm start loads', () => {
    expect(demoCount).toBeGreaterThan(60);
  });

  it('renders the three charts with data from the counters', async () => {
    // Act
    await page.waitForSelector('#chart-days[data-rendered="true"]');
    await page.waitForSelector('#chart-categories[data-rendered="true"]');
    await page.waitForSelector('#chart-domains[data-rendered="true"]');
    // Runs in the page (no DOM types here): the sum of every dataset of each Chart.js instance.
    const sums = (await page.evaluate(`['chart-days', 'chart-categories', 'chart-domains'].map((id) =>
      window.Chart.getChart(id).data.datasets.flatMap((d) => d.data).reduce((a, b) => a + b, 0))`)) as number[];
    const summary = await page.textContent('#chart-days-summary');

    // Assess
    for (const sum of sums) expect(sum).toBeGreaterThan(0);
    expect(summary).toMatch(/\d+ hard, \d+ soft, \d+ complaints, \d+ deliveries/);
  });

  /** Submits the events form, waits for the request carrying `queryPart`, then until every listed row shows `rowText`. */
  async function submitFilterAndAwaitRows(queryPart: string, rowText: string): Promise<void> {
    const filtered = page.waitForResponse((response) => response.url().includes(queryPart));
    await page.click('#events-form button[type="submit"]');
    await filtered;
    await expect
      .poll(
        async () => {
          const texts = await page.locator('#events-result tbody tr').allTextContents();
          return texts.length > 0 && texts.every((text) => text.includes(rowText));
        },
        { timeout: 10_000 },
      )
      .toBe(true);
  }

  it('lists recent bounces and filters them by verdict', async () => {
    // Act
    await page.waitForSelector('#events-result table');
    await page.selectOption('select[name="verdict"]', 'hard');
    await submitFilterAndAwaitRows('verdict=hard', 'hard bounce');
    const rows = await page.locator('#events-result tbody tr').count();

    // Assess
    expect(rows).toBeGreaterThan(0);
  });

  it('offers every category the API accepts and filters by one', async () => {
    // Act
    await expect
      .poll(() => page.locator('#category-filter option').count(), { timeout: 10_000 })
      .toBeGreaterThan(23);
    // Each option's text is its value; the first option is the empty 'any'.
    const offered = (await page.locator('#category-filter option').allTextContents()).slice(1);
    await page.selectOption('select[name="verdict"]', '');
    await page.selectOption('#category-filter', 'mailbox-full');
    await submitFilterAndAwaitRows('category=mailbox-full', 'mailbox-full');
    await page.selectOption('#category-filter', '');

    // Assess
    expect(offered).toEqual([...CATEGORIES]);
  });

  it('pages to older events with the cursor', async () => {
    // Act
    await page.selectOption('select[name="type"]', '');
    await page.selectOption('select[name="verdict"]', '');
    const first = page.waitForResponse((response) => response.url().includes('/bounces?limit=25'));
    await page.click('#events-form button[type="submit"]');
    await first;
    await expect.poll(() => page.locator('#events-result tbody tr').count(), { timeout: 10_000 }).toBe(25);
    const older = page.waitForResponse((response) => response.url().includes('cursor='));
    await page.click('#events-more');
    await older;

    // Assess
    await expect.poll(() => page.locator('#events-result tbody tr').count(), { timeout: 10_000 }).toBe(50);
  });

  it('looks up a recipient: sendStatus and history', async () => {
    // Act
    await page.fill('#lookup-email', 'always.full@yahoo.com');
    await page.click('#lookup-form button');
    await page.waitForSelector('#send-status');

    // Assess
    expect(await page.textContent('#send-status')).toBe('suppressed');
    expect(await page.locator('#lookup-result tbody tr').count()).toBe(3);
  });

  it('says plainly when a recipient was never seen', async () => {
    await page.fill('#lookup-email', 'nobody.here@example.com');
    await page.click('#lookup-form button');
    await page.locator('#lookup-result', { hasText: 'Never seen: no events for this address.' }).waitFor();
  });

  it('explains a code', async () => {
    // Act
    await page.fill('#explain-code', '5.1.1');
    await page.click('#explain-form button');
    await page.waitForSelector('#explain-heading');

    // Assess
    expect(await page.textContent('#explain-heading')).toContain('5.1.1');
    expect(await page.textContent('#explain-result')).toContain('What to do');
  });

  it('classifies a pasted bounce message as the processor would', async () => {
    // Act
    await page.fill('#explain-code', '550 5.1.1 <x@example.com>: Recipient address rejected: User unknown');
    await page.click('#explain-form button');
    await page.waitForSelector('#classification');

    // Assess
    const text = await page.textContent('#classification');
    expect(text).toContain('hard');
    expect(text).toContain('unknown-recipient');
    expect(await page.textContent('#explain-heading')).toContain('5.1.1');
  });

  it('shows what was published to EventBridge, newest first', async () => {
    // Act
    await page.waitForSelector('#published-result table');
    const rows = await page.$$eval('#published-result tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
    );
    // Assess
    const published = stack.eventBus.events();
    expect(published.some((event) => event['detail-type'] === 'Recipient Suppressed')).toBe(true);
    expect(rows).toHaveLength(Math.min(50, published.length));
    const newest = published.at(-1);
    expect(rows[0]?.[1]).toBe(newest?.['detail-type']);
    expect(rows[0]?.[2]).toBe((newest?.detail as { email: string } | undefined)?.email);
  });

  it('loaded without script errors, and leaves a screenshot', async () => {
    // Prepare: show recent bounces, a looked-up recipient and an explained code in the shot.
    await page.selectOption('select[name="type"]', 'bounce');
    const bounces = page.waitForResponse((response) => response.url().includes('type=bounce'));
    await page.click('#events-form button[type="submit"]');
    await bounces;
    await page.fill('#explain-code', '5.1.1');
    await page.click('#explain-form button');
    await page.waitForSelector('#explain-heading');
    await page.fill('#lookup-email', 'always.full@yahoo.com');
    await page.click('#lookup-form button');
    await page.waitForSelector('#send-status');
    const target =
      process.env.UPDATE_SCREENSHOT === '1'
        ? join(ROOT, 'docs', 'screenshot.png')
        : join(shotDir, 'screenshot.png');

    // Act
    const image = await page.screenshot({ path: target, fullPage: true });

    // Assess
    expect(image.length).toBeGreaterThan(10_000);
    expect(pageErrors).toEqual([]);
  });
});
