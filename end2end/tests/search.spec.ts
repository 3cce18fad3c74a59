import { expect } from '@playwright/test';
import { expectNoAxeViolations, test, waitForHydration, watchConsole } from './support';

test('the header search finds a seed item by a word of its lead', async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto('/news');
  await waitForHydration(page);
  await page.getByRole('searchbox', { name: 'Search the news' }).first().fill('videoconference');
  await page.getByRole('button', { name: 'Search' }).first().click();
  await expect(page).toHaveURL(/\/search\?q=videoconference$/);
  const results = page.getByTestId('search-results');
  await expect(results.getByRole('link')).toHaveText([/How to secure a reply from your twin-city/]);
  await expect(results.locator('mark')).toHaveText(['videoconference']);
  await expectNoAxeViolations(page);
  expect(problems).toEqual([]);
});

test('a prefix finds the city, and many results page on', async ({ page }) => {
  await page.goto('/search?q=Chemn');
  await expect(page.getByTestId('search-summary')).toHaveText(/items found/);
  await expect(page.getByTestId('search-results').getByRole('link').first()).toContainText('Chemnitz');

  await page.goto('/search?q=generated');
  await expect(page.getByTestId('search-summary')).toHaveText('120 items found.');
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Next ››' }).click();
  await expect(page).toHaveURL(/\/search\?q=generated&page=2$/);
  await expect(page.getByTestId('search-results').getByRole('listitem')).toHaveCount(10);
});

test('search works without JavaScript and says so kindly when nothing matches', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/');
  await page.getByRole('searchbox', { name: 'Search the news' }).first().fill('"NEAR( zzqqxx*');
  await page.getByRole('button', { name: 'Search' }).first().click();
  await expect(page.getByTestId('search-summary')).toContainText('Nothing found for');
  await context.close();
});
