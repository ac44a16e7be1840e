import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

/** Debian's chromium (scripts/setup-chromium.sh installs it), or LTC_CHROMIUM. */
function chromiumPath(): string {
  const path = process.env.LTC_CHROMIUM || '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(`chromium not found at ${path}: run \`npm run setup\` (scripts/setup-chromium.sh)`);
  }
  return path;
}

export interface PageCheck {
  /** Console messages of type error, uncaught page errors and failed requests. */
  readonly errors: readonly string[];
  /** Every URL the page requested besides itself (a self-contained report requests none). */
  readonly requests: readonly string[];
  readonly charts: {
    readonly svgs: number;
    /** SVGs with a laid-out size (width and height > 0). */
    readonly rendered: number;
    readonly polylines: number;
    readonly cells: number;
  };
  readonly title: string;
}

/**
 * Opens an HTML file in headless chromium (offline flags, a throw-away profile), collects console errors and
 * requests, measures the rendered charts and saves a full-page screenshot.
 */
export async function openInChromium(htmlFile: string, screenshot: string): Promise<PageCheck> {
  const profile = mkdtempSync(join(tmpdir(), 'ltc-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const errors: string[] = [];
  const requests: string[] = [];
  const url = pathToFileURL(htmlFile).href;
  try {
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
    page.on('requestfailed', (r) =>
      errors.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`),
    );
    page.on('request', (r) => {
      if (r.url() !== url) requests.push(r.url());
    });
    await page.goto(url, { waitUntil: 'load' });
    // A string, so that this file needs no DOM typings: it runs in the page.
    const charts = (await page.evaluate(`(() => {
      const svgs = [...document.querySelectorAll('svg')];
      return {
        svgs: svgs.length,
        rendered: svgs.filter((s) => {
          const box = s.getBoundingClientRect();
          return box.width > 0 && box.height > 0;
        }).length,
        polylines: document.querySelectorAll('svg polyline').length,
        cells: document.querySelectorAll('svg rect.cell').length,
      };
    })()`)) as PageCheck['charts'];
    await page.screenshot({ path: screenshot, fullPage: true });
    return { errors, requests, charts, title: await page.title() };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
