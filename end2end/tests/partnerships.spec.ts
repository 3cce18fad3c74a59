import { expect, type Page } from '@playwright/test';
import { expectNoAxeViolations, test, waitForHydration, watchConsole } from './support';

/** The years of the timeline, in the order a screen reader reads them. */
async function timelineYears(page: Page) {
  return page.getByTestId('timeline').locator('.timeline-year > h4').allTextContents();
}

test('a city page tells its partnership in order, without JavaScript too', async ({ browser }) => {
  for (const javaScriptEnabled of [false, true]) {
    const context = await browser.newContext({ javaScriptEnabled });
    const page = await context.newPage();
    const problems = watchConsole(page);
    await page.goto('/cities/coventry');
    const section = page.getByTestId('partnership');
    await expect(section.getByRole('heading', { level: 2 })).toHaveText('The partnership with Coventry');
    await expect(page.getByTestId('activity')).toHaveText('Nothing recorded since 22 March 2022.');
    await expect(page.getByTestId('current-agreement')).toContainText('Twinning charter');
    expect(await timelineYears(page)).toEqual(['1944', '2022']);
    const suspension = page.getByTestId('timeline').locator('.entry').last();
    await expect(suspension).toContainText('Status: Suspended');
    await expect(suspension).toContainText('Coventry suspended the link on 2022-03-22');
    await expect(suspension.locator('time')).toHaveAttribute('datetime', '2022-03-22');
    await expect(section.locator('form')).toHaveCount(0);
    expect(problems).toEqual([]);
    await context.close();
  }
});

test('the partnerships table filters without JavaScript, and in place with it', async ({ browser }) => {
  for (const javaScriptEnabled of [false, true]) {
    const context = await browser.newContext({ javaScriptEnabled });
    const page = await context.newPage();
    await page.goto('/partnerships');
    if (javaScriptEnabled) await waitForHydration(page);
    const rows = page.getByTestId('partnerships-table').locator('tbody tr');
    const all = await rows.count();
    expect(all).toBeGreaterThan(20);
    await page.getByLabel('Status').selectOption('suspended');
    await page.getByLabel('As at the end of year').fill('2023');
    await page.getByRole('button', { name: 'Show' }).click();
    await expect(page).toHaveURL(/status=suspended/);
    await expect(rows).toHaveCount(1);
    await expect(rows.first().locator('th')).toHaveText('Coventry');
    await page.getByLabel('As at the end of year').fill('2010');
    await page.getByRole('button', { name: 'Show' }).click();
    await expect(page).toHaveURL(/until=2010/);
    await expect(rows).toHaveCount(0);
    if (javaScriptEnabled) {
      expect(await page.evaluate(() => (window as unknown as { __pageNavigations: number }).__pageNavigations)).toBeGreaterThan(0);
    }
    await context.close();
  }
});

test('the map slider shows a partnership as it stood in each year', async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto('/map');
  await waitForHydration(page);
  const coventry = page.locator('a[data-testid="pin"][data-slug="coventry"]');
  await expect(coventry).toHaveClass(/suspended/);
  const slider = page.getByRole('slider', { name: /Partnered by/ });
  await slider.fill('2010');
  await expect(page).toHaveURL(/until=2010/);
  await expect(coventry).toHaveClass(/\bactive\b/);
  await expect(coventry).toHaveAttribute('aria-label', 'Coventry, United Kingdom — twin city since 1944');
  await expect(page.locator('path.arc[data-slug="coventry"]')).toHaveClass(/\bactive\b/);
  await slider.fill('2023');
  await expect(coventry).toHaveClass(/suspended/);
  await expect(coventry).not.toHaveClass(/\bactive\b/);
  await expect(coventry).toHaveAttribute('aria-label', /partnership suspended$/);
  // A visitor following the link sees the same on the server-rendered map.
  await page.goto('/map?until=2010');
  await expect(coventry).toHaveClass(/\bactive\b/);
  expect(problems).toEqual([]);
});

test('the open data is linked from every page and parses', async ({ page }) => {
  await page.goto('/news');
  const footer = page.locator('footer');
  for (const [name, type] of [
    ['partnerships (JSON)', 'application/json'],
    ['partnerships (CSV)', 'text/csv'],
    ['events (JSON)', 'application/json'],
  ]) {
    const link = footer.getByRole('link', { name });
    const response = await page.request.get((await link.getAttribute('href')) ?? '');
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toContain(type);
  }
  const data = await (await page.request.get('/open-data/partnerships.json')).json();
  const coventry = data.partnerships.find((p: { slug: string }) => p.slug === 'coventry');
  expect(coventry.name).toEqual({ en: 'Coventry', ru: 'Ковентри' });
  expect(coventry.status).toBe('suspended');
  expect(coventry.status_history.map((s: { status: string }) => s.status)).toEqual(['active', 'suspended']);
});

const AXE = {
  partnerships: '/partnerships',
  'Russian partnerships': '/ru/partnerships',
  'filtered partnerships': '/partnerships?status=active&until=1990',
  city: '/cities/cologne',
  'Russian city': '/ru/cities/cologne',
  'cities by activity': '/cities?sort=activity',
};

for (const [name, url] of Object.entries(AXE)) {
  test(`axe-core finds no violations on the ${name} page`, async ({ page }) => {
    await page.goto(url);
    await waitForHydration(page);
    await expectNoAxeViolations(page);
  });
}
