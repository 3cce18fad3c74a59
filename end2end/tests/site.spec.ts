import { expect } from '@playwright/test';
import { expectNoAxeViolations, SEED_TITLES, test, waitForHydration } from './support';

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
