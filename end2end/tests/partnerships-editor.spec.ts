import { expect, type Browser, type Page } from '@playwright/test';
import { ADMIN, E2E_PASSWORD, EDITOR } from './accounts';
import { expectNoAxeViolations, htmlErrors, test, waitForHydration, watchConsole } from './support';

// One after another against the editing server, whose partnerships they change.
test.describe.configure({ mode: 'serial' });

async function signedIn(browser: Browser, username: string, javaScriptEnabled = true) {
  const context = await browser.newContext({ javaScriptEnabled });
  const page = await context.newPage();
  const response = await page.request.post('/api/login', {
    form: { username, password: E2E_PASSWORD },
    maxRedirects: 0,
  });
  expect(response.status()).toBeLessThan(400);
  return page;
}

/** Today's date minus `months`, as `YYYY-MM-DD`. */
function monthsAgo(months: number) {
  const date = new Date();
  date.setUTCMonth(date.getUTCMonth() - months);
  return date.toISOString().slice(0, 10);
}

/** Opens the "add" disclosure for entries of `kind` and returns its form. */
async function addForm(page: Page, kind: string) {
  const disclosure = page.getByTestId(`add-${kind}`);
  await disclosure.locator('summary').click();
  return disclosure.locator('form');
}

// A 2×1 PNG: one red and one blue pixel.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAIAAAB7QOjdAAAAD0lEQVR4nGM4IScnYhYLAAbKAawWP1ynAAAAAElFTkSuQmCC',
  'base64',
);

test('an editor adds a milestone with a photo in place and a visitor sees it in the timeline', async ({
  browser,
}) => {
  const page = await signedIn(browser, EDITOR);
  const problems = watchConsole(page);
  await page.goto('/cities/hiroshima');
  await waitForHydration(page);
  await expect(page.getByTestId('add-agreement')).toHaveCount(0);
  await expect(page.getByTestId('add-status')).toHaveCount(0);
  const form = await addForm(page, 'milestone');
  const date = monthsAgo(2);
  await form.getByLabel('Date').fill(date);
  await form.getByLabel('Title (English)').fill('Peace cranes from Volgograd schools');
  await form.getByLabel('Title (Russian)').fill('Журавлики мира от волгоградских школ');
  await form.getByLabel('Text (English)').fill('A thousand paper cranes reached the Peace Memorial Park.');
  await form.getByLabel(/^Photo/).setInputFiles({ name: 'cranes.png', mimeType: 'image/png', buffer: PNG });
  await form.getByRole('button', { name: 'Add' }).click();
  // The description is required with a photo: the form comes back saying so.
  await expect(page.getByRole('alert')).toContainText('Say what the photo shows');
  const again = await addForm(page, 'milestone');
  await again.getByLabel('Date').fill(date);
  await again.getByLabel('Title (English)').fill('Peace cranes from Volgograd schools');
  await again.getByLabel('Title (Russian)').fill('Журавлики мира от волгоградских школ');
  await again.getByLabel(/^Photo/).setInputFiles({ name: 'cranes.png', mimeType: 'image/png', buffer: PNG });
  await again.getByLabel('What the photo shows (English)').fill('Strings of paper cranes');
  await again.getByLabel('What the photo shows (Russian)').fill('Гирлянды бумажных журавликов');
  await again.getByRole('button', { name: 'Add' }).click();
  await expect(page).toHaveURL(/saved=\d+/);
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  expect(problems).toEqual([]);
  await page.context().close();

  const visitor = await browser.newPage();
  await visitor.goto('/cities/hiroshima');
  const milestone = visitor.getByTestId('timeline').locator('.entry', { hasText: 'Peace cranes' });
  await expect(milestone).toBeVisible();
  const photo = milestone.locator('img');
  await expect(photo).toHaveAttribute('alt', 'Strings of paper cranes');
  await expect.poll(() => photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  await expect(visitor.getByTestId('activity')).toContainText('Latest activity');
  await visitor.goto('/ru/cities/hiroshima');
  await expect(visitor.getByTestId('timeline')).toContainText('Журавлики мира от волгоградских школ');
  await expect(visitor.getByTestId('timeline').locator('img')).toHaveAttribute('alt', 'Гирлянды бумажных журавликов');
  await visitor.close();
});

test('a draft milestone stays with the editors', async ({ browser }) => {
  const page = await signedIn(browser, EDITOR);
  await page.goto('/cities/hiroshima');
  const form = await addForm(page, 'milestone');
  await form.getByLabel('Date').fill('2025');
  await form.getByLabel('Title (English)').fill('Draft: exchange of school choirs');
  await form.getByLabel(/^Published/).uncheck();
  await form.getByRole('button', { name: 'Add' }).click();
  await expect(page).toHaveURL(/saved=\d+/);
  await expect(page.getByTestId('timeline')).toContainText('Draft: exchange of school choirs');
  await page.context().close();
  const visitor = await browser.newPage();
  await visitor.goto('/cities/hiroshima');
  await expect(visitor.getByTestId('timeline')).not.toContainText('exchange of school choirs');
  await visitor.close();
});

test('an admin records a suspension and the map slider shows the city active before and suspended after', async ({
  browser,
}) => {
  const admin = await signedIn(browser, ADMIN);
  await admin.goto('/cities/chemnitz');
  const form = await addForm(admin, 'status');
  await form.getByLabel('Status').selectOption('suspended');
  await form.getByLabel('From').fill('2024-03-01');
  await form.getByLabel('Note (English)').fill('Chemnitz suspended official contacts on 2024-03-01.');
  await expectNoAxeViolations(admin);
  await form.getByRole('button', { name: 'Add' }).click();
  await expect(admin).toHaveURL(/saved=\d+/);
  await admin.context().close();

  const page = await browser.newPage();
  await page.goto('/cities/chemnitz');
  await expect(page.getByTestId('status-banner')).toContainText('Chemnitz suspended official contacts');
  await page.goto('/map');
  await waitForHydration(page);
  const chemnitz = page.locator('a[data-testid="pin"][data-slug="chemnitz"]');
  await expect(chemnitz).toHaveClass(/suspended/);
  const slider = page.getByRole('slider', { name: /Partnered by/ });
  await slider.fill('2020');
  await expect(chemnitz).toHaveClass(/\bactive\b/);
  await slider.fill('2024');
  await expect(chemnitz).toHaveClass(/suspended/);
  await page.getByLabel('Status').selectOption('suspended');
  await expect(chemnitz).toHaveCount(1);
  await slider.fill('2020');
  await expect(chemnitz).toHaveCount(0);
  await page.close();
});

test('editors cannot record status, and a visit is saved without JavaScript', async ({ browser }) => {
  const page = await signedIn(browser, EDITOR, false);
  await page.goto('/cities/turin');
  await page.getByTestId('add-visit').locator('summary').click();
  const form = page.getByTestId('add-visit').locator('form');
  await form.getByLabel('Direction').selectOption('from_partner');
  await form.getByLabel('First day').fill(monthsAgo(1));
  await form.getByLabel('Who took part (offices or organisations)').fill('Turin city council');
  await form.getByLabel('Purpose (English)').fill('Talks on a youth exchange');
  await form.getByRole('button', { name: 'Add' }).click();
  await expect(page).toHaveURL(/\/cities\/turin\?saved=\d+/);
  await expect(page.getByTestId('timeline')).toContainText('Talks on a youth exchange');
  await expect(page.getByTestId('add-status')).toHaveCount(0);
  const refused = await page.request.post('/api/save_partnership_entry', {
    multipart: { city: 'turin', kind: 'status', variant: 'ended', date: '2025', lang: 'en' },
  });
  expect(refused.status()).toBe(403);
  await page.context().close();
});

test('the quiet list shows the partnerships with nothing lately, to editors only', async ({ browser }) => {
  const visitor = await browser.newPage();
  const response = await visitor.goto('/partnerships/quiet');
  expect(response?.status()).toBe(401);
  await visitor.close();
  const page = await signedIn(browser, EDITOR);
  await page.goto('/partnerships/quiet');
  await waitForHydration(page);
  const names = await page.getByTestId('partnerships-table').locator('tbody th').allTextContents();
  expect(names).toContain('Coventry');
  expect(names).toContain('Jilin');
  // Hiroshima's milestone and Turin's visit above are recent.
  expect(names).not.toContain('Hiroshima');
  expect(names).not.toContain('Turin');
  await expectNoAxeViolations(page);
  await page.goto('/cities/hiroshima');
  for (const kind of ['milestone', 'visit', 'plan']) {
    await page.getByTestId(`add-${kind}`).locator('summary').click();
  }
  await expectNoAxeViolations(page);
  await page.context().close();
});

test('the editors\' pages are valid HTML too, bar the framework markers', async ({ browser }) => {
  const page = await signedIn(browser, ADMIN);
  const urls = [
    '/cities/hiroshima',
    '/ru/cities/hiroshima',
    '/cities/chemnitz?edit',
    '/partnerships/quiet',
    '/news/reply-from-a-twin-city-across-the-ocean?edit',
    '/news/reply-from-a-twin-city-across-the-ocean/history',
    '/audit',
  ];
  expect(await htmlErrors(page.request, urls)).toEqual([]);
  await page.context().close();
});
