import { expect, type Page, type Request } from '@playwright/test';
import { FeedPage, test, waitForHydration, watchConsole } from './support';

/** The script and WebAssembly files a page fetched from `/pkg/`, by file name. */
function recordCode(page: Page): string[] {
  const files: string[] = [];
  page.on('request', (r: Request) => {
    const url = new URL(r.url());
    if (url.pathname.startsWith('/pkg/') && /\.(wasm|js)$/.test(url.pathname)) {
      files.push(url.pathname.slice('/pkg/'.length));
    }
  });
  return files;
}

/** Counts document loads: a marker on `window` survives only in-page navigation. */
async function markDocument(page: Page) {
  await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'first document'));
}

/** How many pages this document has shown in place (navigate.js counts them). */
async function navigations(page: Page) {
  return page.evaluate(() => (window as unknown as { __pageNavigations?: number }).__pageNavigations ?? 0);
}

async function sameDocument(page: Page) {
  expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe(
    'first document',
  );
  expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1);
}

for (const path of ['/news', '/', '/news/reply-from-a-twin-city-across-the-ocean', '/cities/chemnitz']) {
  test(`a first visit to ${path} fetches no WebAssembly or island code`, async ({ page }) => {
    const files = recordCode(page);
    await page.goto(path);
    await waitForHydration(page);
    await page.waitForLoadState('networkidle');
    expect(files).toEqual([]);
  });
}

test('the map fetches the runtime and its island, and no editor code', async ({ page }) => {
  const files = recordCode(page);
  await page.goto('/map');
  await waitForHydration(page);
  await page.waitForLoadState('networkidle');
  expect(files.some((f) => /^twincity\..*\.wasm$/.test(f))).toBe(true);
  expect(files.some((f) => f.startsWith('split_map_controls'))).toBe(true);
  expect(files.filter((f) => /editor/.test(f))).toEqual([]);
});

test('the island code is fetched once, when a page with an island is reached in place', async ({
  page,
}) => {
  const files = recordCode(page);
  await page.goto('/news');
  await waitForHydration(page);
  expect(files).toEqual([]);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Map' }).click();
  await waitForHydration(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'News' }).click();
  await expect(page).toHaveURL(/\/news$/);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Map' }).click();
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Zoom in' }).click();
  await expect(page.getByTestId('map-canvas')).toHaveAttribute('data-zoom', '1.50');
  const main = files.filter((f) => /^twincity\..*\.wasm$/.test(f));
  expect(main).toHaveLength(1);
});

test('the pager, a filter and a search result change the page in place', async ({ page }) => {
  const problems = watchConsole(page);
  const feed = new FeedPage(page);
  await feed.goto();
  await waitForHydration(page);
  await markDocument(page);

  await feed.pager().getByRole('link', { name: 'Next ››' }).click();
  await expect(page).toHaveURL(/\/news\?page=2$/);
  await expect(feed.currentPage()).toHaveText('2');
  await expect(page.getByRole('contentinfo')).toHaveCount(1);
  await expect(page.getByRole('banner')).toHaveCount(1);
  await sameDocument(page);

  const form = page.getByRole('form', { name: 'Filter the news' });
  await form.getByLabel('Kind').selectOption('event');
  await form.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/kind=event/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Events');
  await sameDocument(page);

  await page.getByRole('search').getByRole('searchbox').fill('Coventry');
  await page.getByRole('search').getByRole('button').click();
  await expect(page).toHaveURL(/\/search\?q=Coventry/);
  await page.getByTestId('search-results').getByRole('link').first().click();
  await expect(page.getByTestId('item')).toBeVisible();
  await sameDocument(page);
  expect(problems).toEqual([]);
});

test('a new page takes the focus at its heading and is announced by its title', async ({ page }) => {
  await page.goto('/news');
  await waitForHydration(page);
  await page.getByTestId('feed').getByRole('link').first().click();
  await expect(page.getByTestId('item')).toBeVisible();
  const heading = page.getByRole('main').getByRole('heading', { level: 1 });
  await expect(heading).toBeFocused();
  const title = await page.title();
  expect(title).toContain(await heading.textContent());
  await expect(page.locator('#page-announcer')).toHaveText(title);
  await expect(page.locator('#page-announcer')).toHaveAttribute('aria-live', 'polite');
  await expect(page.locator('link[rel="canonical"]')).toHaveCount(1);
  await expect(page.locator('link[rel="canonical"]')).toHaveAttribute(
    'href',
    new RegExp(`${new URL(page.url()).pathname}$`),
  );
});

test('Back returns to the previous page where it was scrolled to, Forward again', async ({ page }) => {
  await page.setViewportSize({ width: 400, height: 600 });
  const feed = new FeedPage(page);
  await feed.goto();
  await waitForHydration(page);
  await markDocument(page);
  await feed.pager().scrollIntoViewIfNeeded();
  const scrolled = await page.evaluate(() => window.scrollY);
  expect(scrolled).toBeGreaterThan(200);

  await feed.pager().getByRole('link', { name: 'Next ››' }).click();
  await expect(feed.currentPage()).toHaveText('2');
  await expect.poll(() => page.evaluate(() => window.scrollY)).toBeLessThan(50);

  await page.goBack();
  await expect(page).toHaveURL(/\/news$/);
  await expect(feed.currentPage()).toHaveText('1');
  await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(scrolled - 5);
  await page.goForward();
  await expect(feed.currentPage()).toHaveText('2');
  await sameDocument(page);
});

test('an island on a page reached in place wakes up', async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto('/news');
  await waitForHydration(page);
  await markDocument(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Map' }).click();
  await expect(page).toHaveURL(/\/map$/);
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Zoom in' }).click();
  await expect(page.getByTestId('map-canvas')).toHaveAttribute('data-zoom', '1.50');
  await sameDocument(page);
  expect(problems).toEqual([]);
});

test('the map sent by its form in place is live again', async ({ page }) => {
  await page.goto('/map');
  await waitForHydration(page);
  await markDocument(page);
  await page.getByLabel('Status').selectOption('suspended');
  // The live filter has already put the status in the address and the pins on the map: only
  // the count of pages shown tells that the form's page has arrived.
  const before = await navigations(page);
  await page.getByRole('button', { name: 'Show' }).click();
  await expect.poll(() => navigations(page)).toBeGreaterThan(before);
  await expect(page).toHaveURL(/status=suspended/);
  await waitForHydration(page);
  await expect(page.getByTestId('pin')).toHaveCount(1);
  await page.getByRole('button', { name: 'Zoom in' }).click();
  await expect(page.getByTestId('map-canvas')).toHaveAttribute('data-zoom', '1.50');
  await page.getByLabel('Kind').selectOption('partner');
  await expect(page.getByTestId('pin')).toHaveCount(0);
  await expect(page.getByTestId('map-count')).toHaveText('Showing 0 of 25 cities');
  await sameDocument(page);
});

test('the language switch, files and other sites are left to the browser', async ({ page }) => {
  await page.goto('/news');
  await waitForHydration(page);
  await markDocument(page);
  await page.getByTestId('lang-switch').click();
  await expect(page).toHaveURL(/\/ru\/news$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'ru');
  expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBeUndefined();
});

const PAGES = [
  '/',
  '/news',
  '/news/reply-from-a-twin-city-across-the-ocean',
  '/events',
  '/cities',
  '/cities/coventry',
  '/partnerships',
  '/map',
  '/search?q=Coventry',
  '/tags/twinning',
  '/login',
  '/nowhere',
  '/ru',
  '/ru/map',
  '/ru/news/reply-from-a-twin-city-across-the-ocean',
];

test('no page logs an error or a hydration warning, loaded or reached in place', async ({ page }) => {
  const problems = watchConsole(page);
  for (const path of PAGES) {
    await page.goto(path);
    await waitForHydration(page);
  }
  await page.goto('/news');
  await waitForHydration(page);
  for (const path of PAGES.filter((p) => !p.startsWith('/ru'))) {
    // An in-site link to the page, clicked: the way a reader gets there.
    await page.evaluate((href) => {
      const a = document.createElement('a');
      a.href = href;
      a.textContent = 'next page';
      document.querySelector('main')?.append(a);
    }, path);
    await page.getByRole('link', { name: 'next page' }).click();
    await expect(page).toHaveURL(new RegExp(`${path.replace(/[?]/g, '\\?')}$`));
    await waitForHydration(page);
  }
  expect(problems.filter((p) => !/status of 404/.test(p))).toEqual([]);
});

test.describe('with JavaScript disabled', () => {
  test.use({ javaScriptEnabled: false });

  test('links and forms load pages as plain HTML', async ({ page }) => {
    const feed = new FeedPage(page);
    await feed.goto();
    await feed.pager().getByRole('link', { name: 'Next ››' }).click();
    await expect(page).toHaveURL(/\/news\?page=2$/);
    await page.getByRole('search').getByRole('searchbox').fill('Coventry');
    await page.getByRole('search').getByRole('button').click();
    await expect(page).toHaveURL(/\/search\?q=Coventry/);
    await expect(page.getByTestId('search-results').getByRole('link').first()).toBeVisible();
  });
});
