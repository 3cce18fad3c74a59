import { expect, type Browser, type Page } from '@playwright/test';
import { expectNoAxeViolations, test, watchConsole } from './support';

// The version for the visually impaired, as a visitor uses it: the header's switch, the settings
// bar's links (plain links, so the same with JavaScript off), the settings kept across pages and
// reloads and painted from the first frame, and every page readable in every scheme and at 320 px
// with 200% text.

const PAGES = [
  '/',
  '/news',
  '/news/reply-from-a-twin-city-across-the-ocean',
  '/map',
  '/cities/coventry',
];
const BOTH_LANGUAGES = PAGES.flatMap((p) => [p, p === '/' ? '/ru' : `/ru${p}`]);
const SCHEMES = { bw: 'Black on white', wb: 'White on black', blue: 'Dark blue on light blue' };
const PAPER = { bw: 'rgb(255, 255, 255)', wb: 'rgb(0, 0, 0)', blue: 'rgb(157, 209, 255)' };

const html = (page: Page) => page.locator('html');
const bar = (page: Page) => page.getByRole('region', { name: 'Settings for the visually impaired' });

/** A page whose browser has the settings cookie `value` (as the settings bar would write it). */
async function withSettings(browser: Browser, value: string, options = {}) {
  const context = await browser.newContext(options);
  const url = test.info().project.use.baseURL ?? '';
  await context.addCookies([{ name: 'twincity_view', value, url, httpOnly: true, sameSite: 'Lax' }]);
  return context.newPage();
}

for (const javaScriptEnabled of [true, false]) {
  test(`each setting changes the page and stays across pages and reloads (JavaScript ${
    javaScriptEnabled ? 'on' : 'off'
  })`, async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled });
    const page = await context.newPage();
    const problems = watchConsole(page);
    await page.goto('/news?page=2');
    await expect(html(page)).not.toHaveAttribute('data-view', /.*/);
    await expect(bar(page)).toHaveCount(0);
    const normalSize = await html(page).evaluate((e) => getComputedStyle(e).fontSize);
    expect(normalSize).toBe('16px');

    await page.getByTestId('view-switch').click();
    await expect(page).toHaveURL(/\/news\?page=2#view-settings$/);
    await expect(bar(page)).toBeVisible();
    await expect(html(page)).toHaveAttribute('data-scheme', 'bw');
    expect(await html(page).evaluate((e) => getComputedStyle(e).fontSize)).toBe('24px');

    const choose = async (group: string, name: string) => {
      const link = bar(page).getByRole('group', { name: group }).getByRole('link', { name, exact: true });
      await link.click();
      await expect(bar(page).getByRole('group', { name: group }).getByRole('link', { name, exact: true })).toHaveAttribute(
        'aria-current',
        'true',
      );
    };
    await choose('Text size', '200%');
    expect(await html(page).evaluate((e) => getComputedStyle(e).fontSize)).toBe('32px');
    await choose('Colours', 'White on black');
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe(PAPER.wb);
    expect(await page.locator('h1').first().evaluate((e) => getComputedStyle(e).color)).toBe('rgb(255, 255, 255)');
    await choose('Letter spacing', 'Wide');
    expect(await page.evaluate(() => parseFloat(getComputedStyle(document.body).letterSpacing))).toBeGreaterThan(3);
    await choose('Line height', 'Tall');
    expect(
      await page.locator('main p').first().evaluate((e) => parseFloat(getComputedStyle(e).lineHeight) / parseFloat(getComputedStyle(e).fontSize)),
    ).toBeCloseTo(2, 1);
    await choose('Pictures', 'Hidden');
    await expect(html(page)).toHaveAttribute('data-images', 'hidden');
    // Still on the page it started from, and nothing but the settings changed.
    await expect(page).toHaveURL(/\/news\?page=2#view-settings$/);
    await expect(page.locator('.feed-entry')).toHaveCount(10);

    // Another page, then a reload: the same settings, from the first byte of the document.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Map' }).click();
    await expect(page).toHaveURL(/\/map$/);
    for (const [name, value] of Object.entries({ size: '200', scheme: 'wb', spacing: 'wide', line: 'tall', images: 'hidden' })) {
      await expect(html(page)).toHaveAttribute(`data-${name}`, value);
    }
    await page.reload();
    await expect(html(page)).toHaveAttribute('data-scheme', 'wb');
    await expect(bar(page)).toBeVisible();
    // The map's countries are not a picture to hide: the map stays usable.
    await expect(page.locator('.map-countries')).toBeVisible();

    await bar(page).getByRole('link', { name: 'Normal version' }).click();
    await expect(html(page)).not.toHaveAttribute('data-view', /.*/);
    await expect(bar(page)).toHaveCount(0);
    await page.reload();
    await expect(bar(page)).toHaveCount(0);
    expect(problems).toEqual([]);
    await context.close();
  });
}

test('the first paint already has the settings', async ({ browser }) => {
  for (const [scheme, paper] of Object.entries(PAPER)) {
    const page = await withSettings(browser, `200.${scheme}.normal.normal.shown`);
    // Recorded before the first frame is painted, before any script of the page runs.
    await page.addInitScript(() => {
      requestAnimationFrame(() => {
        const root = document.documentElement;
        (window as unknown as { firstFrame: string[] }).firstFrame = [
          getComputedStyle(root).backgroundColor,
          getComputedStyle(root).fontSize,
        ];
      });
    });
    await page.goto('/news');
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { firstFrame?: string[] }).firstFrame))
      .toEqual([paper, '32px']);
    await page.context().close();
  }
});

for (const [scheme, label] of Object.entries(SCHEMES)) {
  for (const lang of ['en', 'ru']) {
    test(`axe finds no violations in the ${label.toLowerCase()} scheme (${lang})`, async ({ browser }) => {
      test.setTimeout(90_000);
      const page = await withSettings(browser, `150.${scheme}.wide.tall.shown`);
      for (const path of PAGES.map((p) => (lang === 'en' ? p : p === '/' ? '/ru' : `/ru${p}`))) {
        await page.goto(path);
        await expect(html(page)).toHaveAttribute('data-scheme', scheme);
        await test.step(path, () => expectNoAxeViolations(page));
      }
      await page.context().close();
    });
  }
}

test('at 320 px with 200% text and WCAG text spacing no page scrolls sideways', async ({ browser }) => {
  test.setTimeout(90_000);
  const page = await withSettings(browser, '200.bw.wide.tall.shown', { viewport: { width: 320, height: 640 } });
  // The text spacing of WCAG 1.4.12 on top of the version's own.
  await page.addInitScript(() => {
    document.addEventListener('DOMContentLoaded', () => {
      const style = document.createElement('style');
      style.textContent =
        '* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }';
      document.head.append(style);
    });
  });
  for (const path of [...BOTH_LANGUAGES, '/accessibility', '/ru/accessibility', '/partnerships', '/events']) {
    await page.goto(path);
    const widths = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
    expect(widths[0], path).toBeLessThanOrEqual(widths[1]);
  }
  await page.context().close();
});

test('the statement and its report form are linked from every page and pass axe', async ({ page }) => {
  for (const [path, name] of [
    ['/news', 'Accessibility statement and barrier reports'],
    ['/ru/map', 'Заявление о доступности и сообщения о барьерах'],
  ]) {
    await page.goto(path);
    await page.getByRole('contentinfo').getByRole('link', { name }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(/Accessibility statement|Заявление о доступности/);
  }
  await expect(page.getByRole('heading', { name: 'Известные ограничения' })).toBeVisible();
  await expect(page.getByLabel('Что случилось')).toBeVisible();
  await expectNoAxeViolations(page);
});
