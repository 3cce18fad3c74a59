import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';
import { expectNoAxeViolations, test, waitForHydration, watchConsole } from './support';

/** The interactive map and its controls. */
class MapPage {
  constructor(readonly page: Page) {}

  goto(query = '') {
    return this.page.goto(`/map${query}`);
  }

  pins() {
    return this.page.getByTestId('pin');
  }

  canvas() {
    return this.page.getByTestId('map-canvas');
  }

  card() {
    return this.page.getByTestId('city-card');
  }

  slider() {
    return this.page.getByRole('slider', { name: /Partnered by/ });
  }
}

/** Names and years from the cities table, the portal's own list of its cities. */
async function citiesFromTable(page: Page) {
  await page.goto('/cities');
  const rows = page.getByTestId('cities-table').locator('tbody tr');
  const names = await rows.locator('th').allTextContents();
  const years = await rows.locator('td:nth-child(4)').allTextContents();
  return names.map((name, i) => ({ name, year: Number.parseInt(years[i], 10) }));
}

test('there is one pin per city in the database', async ({ page }) => {
  const cities = await citiesFromTable(page);
  const map = new MapPage(page);
  await map.goto();
  await expect(map.pins()).toHaveCount(cities.length);
  await expect(page.getByTestId('map-count')).toHaveText(`Showing ${cities.length} of ${cities.length} cities`);
});

test('keyboard: Tab reaches a pin, Enter opens its card, Escape closes it', async ({ page }) => {
  const problems = watchConsole(page);
  const map = new MapPage(page);
  await map.goto();
  await waitForHydration(page);
  await page.getByRole('region', { name: /Map of partner cities/ }).focus();
  await page.keyboard.press('Tab');
  const focused = page.locator('a[data-testid="pin"]:focus');
  await expect(focused).toHaveCount(1);
  const label = (await focused.getAttribute('aria-label')) ?? '';
  const city = label.split(',')[0];

  await page.keyboard.press('Enter');
  await expect(map.card()).toBeVisible();
  await expect(map.card().getByRole('heading', { level: 2 })).toHaveText(city);
  await expect(map.card()).toContainText('km from Volgograd');
  await expect(page).toHaveURL(/\/map$/);

  await page.keyboard.press('Escape');
  await expect(map.card()).toHaveCount(0);
  await expect(page.locator(`a[data-testid="pin"][aria-label="${label}"]`)).toBeFocused();
  expect(problems).toEqual([]);
});

test('the slider at 1960 shows exactly the cities partnered by 1960', async ({ page }) => {
  const expected = (await citiesFromTable(page))
    .filter((c) => !Number.isNaN(c.year) && c.year <= 1960)
    .map((c) => c.name)
    .sort();
  const map = new MapPage(page);
  await map.goto();
  await waitForHydration(page);
  await map.slider().fill('1960');
  await expect(page).toHaveURL(/until=1960/);
  await expect(page.getByTestId('year-output')).toHaveText('1960');
  await expect(map.pins()).toHaveCount(expected.length);
  const shown = (await map.pins().evaluateAll((pins) => pins.map((p) => p.getAttribute('aria-label') ?? '')))
    .map((label) => label.split(',')[0])
    .sort();
  expect(shown).toEqual(expected);
});

test('zoom buttons change the view and reset restores it', async ({ page }) => {
  const map = new MapPage(page);
  await map.goto();
  await waitForHydration(page);
  await expect(map.canvas()).toHaveAttribute('data-zoom', '1.00');
  await page.getByRole('button', { name: 'Zoom in' }).click();
  await expect(map.canvas()).toHaveAttribute('data-zoom', '1.50');
  const zoomed = await map.canvas().getAttribute('style');
  await page.getByRole('region', { name: /Map of partner cities/ }).focus();
  await page.keyboard.press('ArrowLeft');
  await expect(map.canvas()).not.toHaveAttribute('style', zoomed ?? '');
  await page.getByRole('button', { name: 'Reset' }).click();
  await expect(map.canvas()).toHaveAttribute('data-zoom', '1.00');
});

test('a filtered view is in the URL and can be shared', async ({ page }) => {
  const map = new MapPage(page);
  await map.goto('?kind=partner');
  await expect(map.pins()).toHaveCount(2);
  await waitForHydration(page);
  await page.getByLabel('Kind').selectOption('twin');
  await expect(page).toHaveURL(/kind=twin/);
  await expect(map.pins()).toHaveCount(23);
  // The other language's page shows the same view.
  await expect(page.getByTestId('lang-switch')).toHaveAttribute('href', '/ru/map?kind=twin');
});

test('play runs the years up to today, and pauses', async ({ page }) => {
  const map = new MapPage(page);
  await map.goto('?until=1944');
  await waitForHydration(page);
  await expect(map.pins()).toHaveCount(1);
  await page.getByRole('button', { name: 'Play the years' }).click();
  await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
  await expect(page.getByTestId('year-output')).not.toHaveText('1944');
  await page.getByRole('button', { name: 'Pause' }).click();
  const year = Number(await page.getByTestId('year-output').textContent());
  expect(year).toBeGreaterThan(1944);
  await expect(page).toHaveURL(new RegExp(`until=${year}`));
  expect(await map.pins().count()).toBeGreaterThanOrEqual(1);
  await page.getByRole('button', { name: 'Play the years' }).click();
  await expect(page.getByTestId('year-output')).toHaveText('today', { timeout: 30_000 });
  await expect(map.pins()).toHaveCount(25);
  await expect(page.getByRole('button', { name: 'Play the years' })).toBeVisible();
});

test('Coventry’s page shows the suspended partnership', async ({ page }) => {
  await page.goto('/cities/coventry');
  const banner = page.getByTestId('status-banner');
  await expect(banner).toContainText('Partnership suspended');
  await expect(banner).toContainText('2022-03-22');
  await expect(page.getByTestId('mini-map')).toBeVisible();
});

test.describe('with JavaScript disabled', () => {
  test.use({ javaScriptEnabled: false });

  test('pins are links and the filter form works', async ({ page }) => {
    const map = new MapPage(page);
    await map.goto();
    await expect(map.pins()).toHaveCount(25);
    // Controls that need the island are not offered without it.
    await expect(page.getByRole('button', { name: 'Zoom in' })).toBeHidden();
    await expect(page.getByRole('button', { name: 'Play the years' })).toBeHidden();
    await page.getByLabel('Status').selectOption('suspended');
    await page.getByRole('button', { name: 'Show' }).click();
    await expect(page).toHaveURL(/status=suspended/);
    await expect(map.pins()).toHaveCount(1);
    await page.getByRole('link', { name: /^Coventry, United Kingdom/ }).click();
    await expect(page).toHaveURL(/\/cities\/coventry$/);
    await expect(page.getByTestId('status-banner')).toBeVisible();
  });
});

test('axe-core finds no violations on the map, also with a card open', async ({ page }) => {
  const map = new MapPage(page);
  await map.goto();
  await waitForHydration(page);
  await expectNoAxeViolations(page);
  // Chennai's pin stands alone; European pins overlap until the map is zoomed in.
  await page.getByRole('link', { name: /^Chennai, India/ }).click();
  await expect(map.card()).toBeVisible();
  await expectNoAxeViolations(page);
});

test.describe('on a phone', () => {
  test.use({ viewport: { width: 412, height: 823 } });

  test('pins too near to tap are grouped, a group zooms in on its pins, every target has room', async ({
    page,
  }) => {
    const problems = watchConsole(page);
    const map = new MapPage(page);
    await map.goto();
    await waitForHydration(page);
    const groups = page.getByTestId('pin-group');
    expect(await groups.count()).toBeGreaterThan(0);
    const targets = await new AxeBuilder({ page }).withRules(['target-size']).analyze();
    expect(targets.violations.flatMap((v) => v.nodes.map((n) => n.target.join(' ')))).toEqual([]);

    await groups.first().click();
    await expect(map.canvas()).toHaveAttribute('data-zoom', '4.00');
    await expect(groups.first()).toBeHidden();
    const focused = page.locator('a[data-testid="pin"]:focus');
    await expect(focused).toBeVisible();
    const label = (await focused.getAttribute('aria-label')) ?? '';
    await page.keyboard.press('Enter');
    await expect(map.card().getByRole('heading', { level: 2 })).toHaveText(label.split(',')[0]);
    await expect(page).toHaveURL(/\/map$/);
    expect(problems).toEqual([]);
  });

  test('groups follow the filter: pins left alone stand alone', async ({ page }) => {
    const map = new MapPage(page);
    await map.goto();
    await waitForHydration(page);
    const groups = page.getByTestId('pin-group');
    const before = await groups.count();
    expect(before).toBeGreaterThan(0);
    await page.getByLabel('Country').selectOption('India');
    await expect(map.pins()).toHaveCount(1);
    await expect(groups).toHaveCount(0);
    await page.getByLabel('Country').selectOption('');
    await expect(map.pins()).toHaveCount(25);
    await expect(groups).toHaveCount(before);
    await groups.first().click();
    await expect(map.canvas()).toHaveAttribute('data-zoom', '4.00');
  });

  test.describe('with JavaScript disabled', () => {
    test.use({ javaScriptEnabled: false });

    test('a group lists its cities as links to their pages', async ({ page }) => {
      await page.goto('/map');
      await page.getByTestId('pin-group').first().click();
      const link = page.locator('.map-group details[open] a').first();
      const city = (await link.textContent()) ?? '';
      await link.click();
      await expect(page).toHaveURL(/\/cities\//);
      await expect(page.getByRole('heading', { level: 1 })).toContainText(city);
    });
  });
});
