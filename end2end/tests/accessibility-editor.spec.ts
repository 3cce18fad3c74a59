import { expect, type Browser } from '@playwright/test';
import { ADMIN, E2E_PASSWORD, EDITOR } from './accounts';
import { expectNoAxeViolations, test, watchConsole } from './support';

// Against the editing server: barrier reports (sent without an account, read by admins only,
// limited per address), the statement edited in place, and pictures hidden by the version for the
// visually impaired with their descriptions in their place.
test.describe.configure({ mode: 'serial' });

async function signedIn(browser: Browser, username: string) {
  const page = await (await browser.newContext()).newPage();
  const response = await page.request.post('/api/login', {
    form: { username, password: E2E_PASSWORD },
    maxRedirects: 0,
  });
  expect(response.status()).toBeLessThan(400);
  return page;
}


test('a barrier report reaches the admins, never a visitor, and the eleventh in a minute waits', async ({
  browser,
}) => {
  // Each attempt its own words: a retry finds the first attempt's report in the list too.
  const REPORT = `The years slider on the map cannot be moved with the keyboard <b>at all</b> (${test.info().retry})`;
  const visitor = await browser.newContext({ javaScriptEnabled: false });
  const page = await visitor.newPage();
  await page.goto('/ru/accessibility');
  await page.getByLabel('Страница').fill('/ru/map');
  await page.getByLabel('Что случилось').fill(REPORT);
  await page.getByLabel('Как с вами связаться (необязательно)').fill('anna@example.org');
  await page.getByRole('button', { name: 'Отправить сообщение' }).click();
  await expect(page.getByTestId('report-sent')).toContainText('Спасибо');
  await expect(page.locator('body')).not.toContainText('cannot be moved');

  // Links alone are refused with the reason, and the text comes back in the form.
  await page.getByLabel('Что случилось').fill('https://spam.example https://spam.example/win');
  const [refused] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/ru/accessibility/report')),
    page.getByRole('button', { name: 'Отправить сообщение' }).click(),
  ]);
  expect(refused.status()).toBe(400);
  await expect(page.getByTestId('report-error')).toContainText('только из ссылок');
  await expect(page.getByLabel('Что случилось')).toHaveValue('https://spam.example https://spam.example/win');

  // Nobody but an admin reads the reports.
  for (const who of [null, EDITOR]) {
    const reader = who ? await signedIn(browser, who) : page;
    const response = await reader.goto('/accessibility/reports');
    expect(response?.status()).toBe(who ? 403 : 401);
    await expect(reader.locator('body')).not.toContainText('cannot be moved');
    if (who) await reader.context().close();
  }
  const admin = await signedIn(browser, ADMIN);
  const problems = watchConsole(admin);
  await admin.goto('/accessibility/reports');
  const report = admin.getByTestId('barrier-report').filter({ hasText: REPORT });
  await expect(report).toContainText(REPORT);
  await expect(report).toContainText('anna@example.org');
  await expect(report).toContainText('New');
  await report.getByLabel('Status').selectOption('answered');
  await report.getByRole('button', { name: 'Set the status' }).click();
  await expect(admin.getByTestId('barrier-report').filter({ hasText: REPORT })).toContainText('Answered');
  await expectNoAxeViolations(admin);
  expect(problems).toEqual([]);

  // Ten reports a minute from one address (two sent above), then a clear 429. (A retry within
  // the minute finds the address nearer its limit.)
  let accepted = 0;
  for (let sent = 2; sent < 10; sent++) {
    const response = await page.request.post('/accessibility/report', {
      form: { page: '/', what: `The contrast of the footer is too low, number ${sent}` },
      maxRedirects: 0,
    });
    if (response.status() === 429 && test.info().retry > 0) break;
    expect(response.status()).toBe(303);
    accepted++;
  }
  if (test.info().retry === 0) expect(accepted).toBe(8);
  await page.goto('/accessibility');
  await page.getByLabel('What happened').fill('The search button is too small to hit');
  const [limited] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/accessibility/report')),
    page.getByRole('button', { name: 'Send the report' }).click(),
  ]);
  expect(limited.status()).toBe(429);
  expect(limited.headers()['retry-after']).toBe('60');
  await expect(page.getByTestId('report-error')).toContainText('wait a minute');
  await expect(page.getByLabel('What happened')).toHaveValue('The search button is too small to hit');
  await visitor.close();
  await admin.context().close();
});

test('an admin edits the statement in place; an editor cannot', async ({ browser }) => {
  const editor = await signedIn(browser, EDITOR);
  await editor.goto('/accessibility');
  await expect(editor.getByText('Edit the statement')).toHaveCount(0);
  await editor.context().close();

  const admin = await signedIn(browser, ADMIN);
  await admin.goto('/accessibility');
  await admin.getByText('Edit the statement').click();
  const body = admin.getByLabel('Statement (Markdown)');
  await body.fill(`${await body.inputValue()}\n\n## Contact\n\nThe international department answers within five working days.`);
  await admin.getByLabel('Date of the last review').fill('2027-01-15');
  await admin.getByRole('button', { name: 'Save the statement' }).click();
  await expect(admin.getByRole('status')).toContainText('The statement is saved.');
  await admin.context().close();

  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto('/accessibility');
  await expect(visitor.getByRole('heading', { name: 'Contact' })).toBeVisible();
  await expect(visitor.getByText('Last reviewed: 15 January 2027')).toBeVisible();
  await expect(visitor.getByText('Edit the statement')).toHaveCount(0);
  await expectNoAxeViolations(visitor);
  await visitor.context().close();
});

// A 2×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAIAAAB7QOjdAAAAD0lEQVR4nGM4IScnYhYLAAbKAawWP1ynAAAAAElFTkSuQmCC',
  'base64',
);

test('hidden pictures leave their descriptions in their place', async ({ browser }) => {
  const editor = await signedIn(browser, EDITOR);
  const saved = await editor.request.post('/api/save_partnership_entry', {
    multipart: {
      city: 'turin',
      kind: 'milestone',
      date: '2024-03-01',
      title_en: 'A photo exhibition of the two rivers',
      title_ru: 'Фотовыставка о двух реках',
      alt_en: 'The Volga and the Po at dusk',
      alt_ru: 'Волга и По в сумерках',
      published: '1',
      lang: 'en',
      file: { name: 'rivers.png', mimeType: 'image/png', buffer: PNG },
    },
    maxRedirects: 0,
  });
  expect(saved.status()).toBeLessThan(400);
  await editor.context().close();

  const context = await browser.newContext();
  const url = test.info().project.use.baseURL ?? '';
  const page = await context.newPage();
  await page.goto('/cities/turin');
  const photo = page.getByRole('img', { name: 'The Volga and the Po at dusk' });
  await expect(photo).toBeVisible();
  await expect(page.getByText('Picture: The Volga and the Po at dusk')).toBeHidden();
  await context.addCookies([{ name: 'twincity_view', value: '150.bw.normal.normal.hidden', url }]);
  await page.reload();
  await expect(page.locator('img[alt="The Volga and the Po at dusk"]')).toBeHidden();
  await expect(page.getByText('Picture: The Volga and the Po at dusk')).toBeVisible();
  await expectNoAxeViolations(page);
  await context.close();
});
