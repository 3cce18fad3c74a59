import { expect } from '@playwright/test';
import { FeedPage, SEED_TITLES, test, waitForHydration, watchConsole } from './support';

test('the feed shows the ten seed titles newest first', async ({ page }) => {
  const feed = new FeedPage(page);
  const response = await feed.goto();
  expect(response?.status()).toBe(200);
  expect(await feed.titles()).toEqual(SEED_TITLES);
  await expect(page).toHaveTitle(/^News · /);
  await expect(page.locator('link[rel="canonical"]')).toHaveAttribute('href', /\/news$/);
});

test('the pager moves across the pages of a larger feed', async ({ page }) => {
  const feed = new FeedPage(page);
  await feed.goto();
  await expect(feed.currentPage()).toHaveText('1');
  await expect(feed.pager()).toContainText('‹‹ Back');
  await expect(feed.pager()).toContainText('…');

  await feed.pager().getByRole('link', { name: 'Next ››' }).click();
  await expect(page).toHaveURL(/\/news\?page=2$/);
  await expect(feed.currentPage()).toHaveText('2');
  expect((await feed.titles())[0]).toMatch(/^Generated item/);

  await feed.pager().getByRole('link', { name: '13', exact: true }).click();
  await expect(page).toHaveURL(/\/news\?page=13$/);
  await expect(feed.currentPage()).toHaveText('13');
  await expect(feed.pager().getByRole('link', { name: 'Next ››' })).toHaveCount(0);

  await feed.pager().getByRole('link', { name: '‹‹ Back' }).click();
  await expect(page).toHaveURL(/\/news\?page=12$/);
});

test('after hydration the pager navigates without reloading and logs no problems', async ({
  page,
}) => {
  const problems = watchConsole(page);
  const feed = new FeedPage(page);
  await feed.goto();
  await waitForHydration(page);
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));

  await feed.pager().getByRole('link', { name: 'Next ››' }).click();
  await expect(page).toHaveURL(/\/news\?page=2$/);
  await expect(feed.currentPage()).toHaveText('2');
  expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);

  await page.getByTestId('feed').getByRole('link').first().click();
  await expect(page.getByTestId('item')).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
  expect(problems).toEqual([]);
});

test('an article page shows its content, city and neighbours', async ({ page }) => {
  await page.goto('/news/chemnitz-drawing-competition-prizes');
  const item = page.getByTestId('item');
  await expect(item.getByRole('heading', { level: 1 })).toHaveText(SEED_TITLES[7]);
  await expect(item).toContainText('European Mobility Week');
  await expect(item).toContainText('12 November 2020');
  await expect(item.getByRole('link', { name: 'Chemnitz' })).toHaveAttribute(
    'href',
    '/cities/chemnitz',
  );
  await expect(page.getByRole('link', { name: /Older/ })).toBeVisible();
  await expect(page.getByRole('link', { name: /Newer/ })).toBeVisible();
  await expect(page.locator('meta[property="og:title"]')).toHaveAttribute(
    'content',
    SEED_TITLES[7],
  );
});

test('unknown articles and pages are real 404s with a way on', async ({ page }) => {
  for (const url of ['/news/no-such-story', '/news?page=99', '/no/such/page']) {
    const response = await page.goto(url);
    expect(response?.status(), url).toBe(404);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
    await expect(page.getByTestId('error-page').getByRole('link', { name: 'the latest news' })).toBeVisible();
  }
  const bad = await page.goto('/news?page=two');
  expect(bad?.status()).toBe(400);
  await expect(page.getByTestId('error-page')).toContainText('whole number');
});

test('tag and city filters combine in the URL, with and without the form', async ({ page }) => {
  await page.goto('/news/reply-from-a-twin-city-across-the-ocean');
  await page.getByRole('link', { name: 'Twinning' }).click();
  await expect(page).toHaveURL(/\/tags\/twinning$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('News tagged “Twinning”');

  await page.goto('/news');
  await waitForHydration(page);
  const form = page.getByRole('form', { name: 'Filter the news' });
  await form.getByLabel('Tag').selectOption('peace');
  await form.getByLabel('Kind').selectOption('event');
  await form.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/\/news\?city=&tag=peace&kind=event&year=$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Events tagged “Peace”');
  const titles = await new FeedPage(page).titles();
  expect(titles.length).toBeGreaterThan(0);
  expect(titles).toContain(SEED_TITLES[9]);
  expect(titles).not.toContain(SEED_TITLES[2]);

  await page.goto('/news?city=chemnitz&tag=competitions');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('News about Chemnitz tagged “Competitions”');
  expect(await new FeedPage(page).titles()).toEqual([SEED_TITLES[7]]);
});
