import { expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expectNoAxeViolations, test, waitForHydration, watchConsole } from './support';

// The interface catalogues the app is built from (app/build.rs turns them into Rust): the one the
// islands carry and the one of parts only the server renders.
const read = (file: string): Record<string, string> =>
  JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'app', 'locales', file), 'utf8'));
const catalogue = (lang: string) => ({ ...read(`${lang}.json`), ...read(`pages/${lang}.json`) });
const EN = catalogue('en');
const RU = catalogue('ru');

/** English strings whole (no placeholders or plural forms) that no Russian string reuses. */
const ENGLISH_ONLY = Object.values(EN).filter(
  (s) => !s.includes('{') && !s.includes('|') && !Object.values(RU).includes(s),
);

/** The interface text of the page: everything but scripts and content in another language. */
async function interfaceText(page: Page) {
  return page.evaluate(() => {
    const clone = document.body.cloneNode(true) as HTMLElement;
    clone
      .querySelectorAll('script, style, template, [lang]:not([lang="ru"])')
      .forEach((el) => el.remove());
    // One line per text node (and per label-like attribute), so that neighbouring elements'
    // words never run together.
    const parts: string[] = [];
    const walker = document.createTreeWalker(clone, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) parts.push(walker.currentNode.textContent ?? '');
    clone.querySelectorAll('[aria-label], [placeholder], [title]').forEach((el) => {
      for (const name of ['aria-label', 'placeholder', 'title']) parts.push(el.getAttribute(name) ?? '');
    });
    return parts.join('\n');
  });
}

/** Whether `text` holds `phrase` as whole words. */
const holds = (text: string, phrase: string) =>
  new RegExp(`(^|[^\\p{L}])${phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\p{L}])`, 'u').test(text);

test('a page switches to Russian and back, staying on the same page', async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto('/cities/coventry');
  await page.getByTestId('lang-switch').click();
  await expect(page).toHaveURL(/\/ru\/cities\/coventry$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'ru');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Ковентри');
  await expect(page.getByTestId('status-banner')).toContainText('Партнёрство приостановлено');
  await waitForHydration(page);

  // In-app links stay in Russian, also after hydration.
  await page.getByRole('navigation', { name: RU.nav_label }).getByRole('link', { name: RU.nav_news }).click();
  await expect(page).toHaveURL(/\/ru\/news$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(RU.feed_news);

  await page.getByTestId('lang-switch').click();
  await expect(page).toHaveURL(/\/news$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(EN.feed_news);
  expect(problems).toEqual([]);
});

for (const url of [
  '/ru',
  '/ru/cities',
  '/ru/cities/coventry',
  '/ru/partnerships',
  '/ru/map',
  '/ru/events',
  '/ru/news',
  '/ru/search?q=Chemnitz',
]) {
  test(`${url} contains no English interface strings`, async ({ page }) => {
    await page.goto(url);
    await waitForHydration(page);
    const text = await interfaceText(page);
    const leaked = ENGLISH_ONLY.filter((s) => holds(text, s));
    expect(leaked).toEqual([]);
  });
}

test('the same check finds the English interface on an English page', async ({ page }) => {
  await page.goto('/cities');
  const text = await interfaceText(page);
  const found = ENGLISH_ONLY.filter((s) => holds(text, s));
  expect(found).toEqual(expect.arrayContaining([EN.nav_events, EN.col_country, EN.footer_login]));
});

test('an English-only article on a Russian page says so, in Russian', async ({ page }) => {
  await page.goto('/ru/news/reply-from-a-twin-city-across-the-ocean');
  await expect(page.getByTestId('translation-notice')).toHaveText(RU.other_lang_notice);
  await expect(page.getByRole('heading', { level: 1 })).toHaveAttribute('lang', 'en');
});

test.describe('with JavaScript disabled', () => {
  test.use({ javaScriptEnabled: false });

  test('the Russian search and filters work as plain forms', async ({ page }) => {
    await page.goto('/ru');
    await page.getByRole('searchbox', { name: RU.search_label }).fill('Chemnitz');
    await page.getByRole('button', { name: RU.search_button }).click();
    await expect(page).toHaveURL(/\/ru\/search\?q=/);
    await expect(page.getByTestId('search-summary')).toContainText('Найден');
    await page.goto('/ru/map');
    await page.getByLabel(RU.map_status).selectOption('suspended');
    await page.getByRole('button', { name: RU.map_show }).click();
    await expect(page).toHaveURL(/\/ru\/map\?.*status=suspended/);
    await expect(page.getByTestId('pin')).toHaveCount(1);
  });
});

const AXE_RU = {
  home: '/ru',
  feed: '/ru/news',
  article: '/ru/news/ostrava-online-concert-day-of-peoples-unity',
  city: '/ru/cities/coventry',
  map: '/ru/map',
  search: '/ru/search?q=Волгоград',
};

for (const [name, url] of Object.entries(AXE_RU)) {
  test(`axe-core finds no violations on the Russian ${name} page`, async ({ page }) => {
    await page.goto(url);
    await waitForHydration(page);
    await expectNoAxeViolations(page);
  });
}
