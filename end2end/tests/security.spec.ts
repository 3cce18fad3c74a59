import { expect, type Page } from '@playwright/test';
import { test, waitForHydration } from './support';

/** A text that ends the title and brings a script with a nonce of its own. */
const TITLE_BREAKER = '</title><script nonce="attacker">window.__pwned=1</script>';

const pwned = (page: Page) => page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned);

test('the detector sees a script that runs', async ({ page }) => {
  // The same markup served without the portal's policy: here the script does run, so a check
  // that reads `undefined` below means the portal stopped it, not that the check is blind.
  await page.route('**/control-page', (route) =>
    route.fulfill({ contentType: 'text/html', body: `<html><head><title>x${TITLE_BREAKER}</head><body></body></html>` }),
  );
  await page.goto('/control-page');
  expect(await pwned(page)).toBe(1);
});

test('a search link that closes the title runs nothing and shows the words as typed', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  for (const path of ['/search', '/ru/search']) {
    await page.goto(`${path}?q=${encodeURIComponent(TITLE_BREAKER)}`);
    await waitForHydration(page);
    expect(await pwned(page)).toBeUndefined();
    expect(await page.title()).toContain(TITLE_BREAKER);
    await expect(page.locator('head script[nonce="attacker"], body script[nonce="attacker"]')).toHaveCount(0);
  }
  expect(errors).toEqual([]);
});

test('an address on the error page never links to another site', async ({ page }) => {
  await page.goto('/ru//evil.example');
  const href = await page.getByTestId('lang-switch').getAttribute('href');
  expect(href?.startsWith('//')).toBe(false);
  expect(new URL(href ?? '/', page.url()).host).toBe(new URL(page.url()).host);
});
