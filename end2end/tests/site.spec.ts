import { expect } from '@playwright/test';
import {
  expectNoAxeViolations,
  SEED_TITLES,
  test,
  waitForHydration,
  watchConsole,
} from './support';

test('the home page links the latest news, events and partner cities', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Volgograd');
  await expect(page.getByRole('heading', { name: 'Latest news' })).toBeVisible();
  await expect(page.getByRole('link', { name: SEED_TITLES[0] })).toBeVisible();
  await page.getByRole('link', { name: /See all \d+ partner cities/ }).click();
  await expect(page).toHaveURL(/\/cities$/);
  await expect(page.getByTestId('cities-table').getByRole('row')).toHaveCount(26);
});

test.describe('with JavaScript disabled', () => {
  test.use({ javaScriptEnabled: false });

  test('the feed, the pager and articles work as plain HTML', async ({ page }) => {
    await page.goto('/news');
    await expect(page.getByTestId('feed').getByRole('heading')).toHaveText(SEED_TITLES);
    await page.getByRole('link', { name: 'Next ››' }).click();
    await expect(page).toHaveURL(/page=2$/);
    await page.goto('/news');
    await page.getByRole('link', { name: SEED_TITLES[3] }).click();
    await expect(page.getByTestId('item')).toContainText('Father Frost');
  });
});

const AXE_PAGES = {
  home: '/',
  feed: '/news',
  article: '/news/ostrava-online-concert-day-of-peoples-unity',
  event: '/events/dialogue-on-the-volga-forum-2020',
  events: '/events',
  cities: '/cities',
  city: '/cities/coventry',
  'not found': '/news/no-such-story',
};

for (const [name, url] of Object.entries(AXE_PAGES)) {
  test(`axe-core finds no violations on the ${name} page`, async ({ page }) => {
    await page.goto(url);
    await waitForHydration(page);
    await expectNoAxeViolations(page);
  });
}

test('a page the browser revalidates (304) still hydrates under its stored policy', async ({
  page,
}) => {
  const problems = watchConsole(page);
  const first = await page.goto('/news');
  const tag = first?.headers()['etag'];
  expect(tag).toBeTruthy();
  await waitForHydration(page);
  const again = await page.reload();
  expect(await again?.request().headerValue('if-none-match')).toBe(tag);
  await waitForHydration(page);
  // Only the 304's headers crossed the network: the page came from the browser's cache.
  const sizes = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    return { transfer: nav.transferSize, body: nav.decodedBodySize };
  });
  expect(sizes.transfer).toBeLessThan(1500);
  expect(sizes.body).toBeGreaterThan(5000);
  await page.getByRole('link', { name: 'Next ››' }).click();
  await expect(page).toHaveURL(/page=2$/);
  expect(problems).toEqual([]);
});
