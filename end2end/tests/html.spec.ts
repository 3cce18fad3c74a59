import { expect } from '@playwright/test';
import { htmlErrors, test } from './support';

const PAGES = [
  '/',
  '/news',
  '/news?city=chemnitz&kind=news',
  '/news/ostrava-online-concert-day-of-peoples-unity',
  '/events',
  '/events/dialogue-on-the-volga-forum-2020',
  '/map',
  '/map?status=active&until=1990',
  '/cities',
  '/cities/coventry',
  '/partnerships',
  '/search?q=Chemnitz',
  '/tags/peace',
  '/login',
  '/accessibility',
  '/nowhere',
];

test('every page type is valid HTML in both languages, bar the framework markers', async ({ request }) => {
  test.setTimeout(120_000);
  const urls = PAGES.flatMap((page) => [page, page === '/' ? '/ru' : `/ru${page}`]);
  expect(await htmlErrors(request, urls)).toEqual([]);
});

test('pages of the version for the visually impaired are valid HTML', async ({ playwright, baseURL }) => {
  test.setTimeout(120_000);
  const request = await playwright.request.newContext({
    baseURL,
    extraHTTPHeaders: { cookie: 'twincity_view=200.wb.wide.tall.hidden' },
  });
  expect(await htmlErrors(request, ['/', '/ru/news', '/map', '/accessibility'])).toEqual([]);
  await request.dispose();
});
