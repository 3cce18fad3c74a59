import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type APIRequestContext, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Playwright's `test`, recording what every page of the test logged and which requests were
 * still unanswered, and attaching that to a failed test: a page that never hydrates says why.
 */
export const test = base.extend<{ diagnostics: void }>({
  diagnostics: [
    async ({ context }, use, testInfo) => {
      const log: string[] = [];
      const pending = new Map<object, string>();
      const stamp = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
      const started = Date.now();
      context.on('page', (page) => {
        page.on('console', (m) => log.push(`${stamp()} console.${m.type()}: ${m.text()}`));
        page.on('pageerror', (e) => log.push(`${stamp()} pageerror: ${e.message}`));
      });
      context.on('request', (r) => pending.set(r, `${stamp()} ${r.method()} ${r.url()}`));
      context.on('requestfinished', (r) => pending.delete(r));
      context.on('requestfailed', (r) => {
        pending.delete(r);
        log.push(`${stamp()} request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`);
      });
      await use();
      if (testInfo.status !== testInfo.expectedStatus) {
        const report = [...log, ...[...pending.values()].map((p) => `unanswered since ${p}`)];
        await testInfo.attach('diagnostics', { body: report.join('\n') || '(nothing logged)' });
        console.log(`diagnostics for "${testInfo.title}":\n${report.join('\n')}`);
      }
    },
    { auto: true },
  ],
});

/** The listing page's ten titles, newest first, as the seed stores them. */
export const SEED_TITLES = [
  'Movie recommendations: Inostranka (Madeleine in Odessa)',
  'How to secure a reply from your twin-city if there’s an ocean between you? Lifehacks from the US and Russian cities',
  '“Mayors for Peace” sent to the USA a letter of protest against nuclear tests',
  'Let’s paint this New Year happy! School students of Volgograd and Jilin celebrated their favorite holiday with a drawing competition',
  'The “Stalingrad in the History of Britain” exposition has opened in Volgograd',
  'The twinning of Stalingrad and Coventry became an inspiration for a friendly exchange between Perm and Oxford',
  'International Youth Conference for Peace in the Future summed up its efforts of 2020',
  'Volgograd school pupils were awarded prizes in the drawing competition in Chemnitz',
  'An online concert was held in Ostrava – dedicated to the Day of People’s Unity',
  'International Forum of People’s Diplomacy “Dialogue on the Volga: Peace and Mutual Understanding in the 21st Century” (2020)',
];

/** The news feed and its pager. */
export class FeedPage {
  constructor(readonly page: Page) {}

  async goto(pageNumber?: number) {
    return this.page.goto(pageNumber ? `/news?page=${pageNumber}` : '/news');
  }

  titles() {
    return this.page.getByTestId('feed').getByRole('heading').allTextContents();
  }

  pager() {
    return this.page.getByRole('navigation', { name: 'Pages' });
  }

  currentPage() {
    return this.pager().locator('[aria-current="page"]');
  }
}

/**
 * Resolves once the page is live: the in-page navigation is installed and every island on the
 * page has hydrated (each marks its root `data-island-ready`). A page without islands is live as
 * soon as the navigation script has run.
 */
export async function waitForHydration(page: Page) {
  await expect(page.locator('html[data-navigation="ready"]')).toHaveCount(1, { timeout: 20_000 });
  await expect(page.locator('leptos-island:not(:has([data-island-ready]))')).toHaveCount(0, {
    timeout: 20_000,
  });
}

/** Collects console errors and warnings (hydration mismatches are reported there). */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') {
      problems.push(`${msg.type()}: ${msg.text()}`);
    }
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  return problems;
}

/** Fails with the list of axe-core violations, if any. */
export async function expectNoAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const summary = results.violations.map(
    (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
  );
  expect(summary).toEqual([]);
}

// The Nu HTML checker (npm vnu-jar), run on Debian's Java.
const VNU = path.join(__dirname, '..', 'node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');

// Leptos marks the places of dynamic content with `<!>`, which the checker calls a bogus
// comment (browsers read an empty comment): the one error the portal cannot avoid.
const FRAMEWORK_MARKER = 'Bogus comment.';

/** The Nu checker's errors (but the framework's markers) on the pages at `urls`, fetched with
 * `request` (and its cookies), as "url: message extract". */
export async function htmlErrors(request: APIRequestContext, urls: string[]) {
  const dir = mkdtempSync(path.join(tmpdir(), 'twincity-html-'));
  const files: string[] = [];
  for (const url of urls) {
    const file = path.join(dir, `${files.length}.html`);
    writeFileSync(file, await (await request.get(url)).text());
    files.push(file);
  }
  const output = execFileSync(
    'java',
    ['-jar', VNU, '--format', 'json', '--stdout', '--exit-zero-always', ...files],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 },
  );
  const messages: { type: string; message: string; url: string; extract?: string }[] =
    JSON.parse(output).messages;
  const urlOf = (file: string) => urls[files.indexOf(new URL(file).pathname)] ?? file;
  return messages
    .filter((m) => m.type === 'error' && m.message !== FRAMEWORK_MARKER)
    .map((m) => `${urlOf(m.url)}: ${m.message} ${m.extract ?? ''}`);
}
