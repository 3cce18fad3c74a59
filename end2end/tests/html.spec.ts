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
  '/nowhere',
];

test('every page type is valid HTML in both languages, bar the framework markers', async ({ request }) => {
  test.setTimeout(120_000);
  const urls = PAGES.flatMap((page) => [page, page === '/' ? '/ru' : `/ru${page}`]);
  expect(await htmlErrors(request, urls)).toEqual([]);
});
