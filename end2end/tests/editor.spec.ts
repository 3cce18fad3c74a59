import { expect, type Browser, type Page } from '@playwright/test';
import { ADMIN, E2E_PASSWORD, EDITOR } from './accounts';
import { expectNoAxeViolations, SEED_TITLES, test, waitForHydration, watchConsole } from './support';
import { XSS_PAYLOADS } from './xss-payloads';

// These tests run one after another against the editing server, whose content they change.
test.describe.configure({ mode: 'serial' });

/** Logs the page's browser context in through the login function. */
async function logIn(page: Page, username = EDITOR) {
  const response = await page.request.post('/api/login', {
    form: { username, password: E2E_PASSWORD },
    maxRedirects: 0,
  });
  expect(response.status()).toBeLessThan(400);
}

/** A new browser context logged in as `username`, with its page. */
async function editorPage(browser: Browser, username = EDITOR) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await logIn(page, username);
  return page;
}

/** The in-place edit form of an item page. */
class EditForm {
  constructor(readonly page: Page) {}

  form() {
    return this.page.getByTestId('edit-form');
  }

  title() {
    return this.page.getByLabel('Title', { exact: true });
  }

  lead() {
    return this.page.getByLabel('Lead paragraph');
  }

  async open(path: string) {
    await this.page.goto(`${path}?edit`);
    await waitForHydration(this.page);
    await expect(this.form()).toBeVisible();
  }

  async save() {
    await this.page.getByRole('button', { name: /^Save/ }).click();
  }
}

const seedArticle = '/news/reply-from-a-twin-city-across-the-ocean';

test('the login form works without JavaScript and says nothing about which part was wrong', async ({
  browser,
}) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/login?next=/news');
  await page.getByLabel('User name').fill(EDITOR);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByTestId('login-error')).toHaveText('The user name or the password is wrong.');

  await page.getByLabel('User name').fill(EDITOR);
  await page.getByLabel('Password').fill(E2E_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/\/news$/);
  await expect(page.getByTestId('editor-bar')).toContainText('Logged in as olga');
  await expect(page.getByRole('button', { name: 'New article' })).toBeVisible();
  await context.close();
});

test('an editor changes a title in place; after a reload visitors see it', async ({ page, browser }) => {
  const problems = watchConsole(page);
  await logIn(page);
  await page.goto(seedArticle);
  await waitForHydration(page);
  await page.getByTestId('edit-toggle').click();
  const edit = new EditForm(page);
  await expect(edit.form()).toBeVisible();
  await expect(edit.title()).toHaveValue(SEED_TITLES[1]);
  await edit.title().fill('Lifehacks for twin cities across an ocean');
  await expect(page.getByText('Unsaved changes')).toBeVisible();
  await edit.save();
  await expect(edit.form()).toHaveCount(0);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Lifehacks for twin cities across an ocean');

  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Lifehacks for twin cities across an ocean');
  const visitor = await browser.newPage();
  await visitor.goto(seedArticle);
  await expect(visitor.getByRole('heading', { level: 1 })).toHaveText('Lifehacks for twin cities across an ocean');
  await expect(visitor.getByTestId('editor-toolbar')).toHaveCount(0);
  await visitor.close();
  expect(problems).toEqual([]);
});

test('Ctrl+S saves, and leaving with unsaved changes asks first', async ({ page }) => {
  await logIn(page);
  const edit = new EditForm(page);
  await edit.open(seedArticle);
  await edit.lead().fill('Saved from the keyboard.');
  await page.keyboard.press('Control+s');
  await expect(edit.form()).toHaveCount(0);
  await expect(page.getByText('Saved from the keyboard.')).toBeVisible();

  await edit.open(seedArticle);
  await edit.lead().fill('Not saved yet.');
  const questions: string[] = [];
  page.on('dialog', (dialog) => {
    questions.push(dialog.message());
    void dialog.dismiss();
  });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Events' }).click();
  await expect.poll(() => questions.length).toBe(1);
  expect(questions[0]).toContain('without saving');
  await expect(page).toHaveURL(/\?edit$/);
  await expect(edit.lead()).toHaveValue('Not saved yet.');
});

test('two editors save the same item: the second sees both texts and nothing is lost', async ({
  browser,
}) => {
  const first = await editorPage(browser, EDITOR);
  const second = await editorPage(browser, ADMIN);
  const path = '/news/mayors-for-peace-letter-against-nuclear-tests';
  const a = new EditForm(first);
  const b = new EditForm(second);
  await a.open(path);
  await b.open(path);

  await a.title().fill('Mayors for Peace protest nuclear tests (first editor)');
  await a.save();
  await expect(a.form()).toHaveCount(0);

  await b.title().fill('Mayors for Peace write to the USA (second editor)');
  await b.save();
  const conflict = second.getByTestId('conflict');
  await expect(conflict).toBeVisible();
  await expect(second.getByTestId('conflict-theirs')).toContainText('(first editor)');
  await expect(b.title()).toHaveValue('Mayors for Peace write to the USA (second editor)');
  await expectNoAxeViolations(second);

  await b.title().fill('Mayors for Peace protest nuclear tests (both editors)');
  await b.save();
  await expect(b.form()).toHaveCount(0);
  await expect(second.getByRole('heading', { level: 1 })).toHaveText(
    'Mayors for Peace protest nuclear tests (both editors)',
  );
  await second.goto(`${path}/history`);
  await expect(second.getByTestId('history')).toContainText('ivan');
  await expect(second.getByTestId('history')).toContainText('olga');
  await first.context().close();
  await second.context().close();
});

test('a new article is a draft: 404 for visitors, badged for its editor', async ({ page, browser }) => {
  await logIn(page);
  await page.goto('/news');
  await waitForHydration(page);
  await page.getByRole('button', { name: 'New article' }).click();
  const edit = new EditForm(page);
  await expect(edit.form()).toBeVisible();
  await expect(page).toHaveURL(/\/news\/untitled-article[-0-9]*\?edit$/);
  await edit.title().fill('Volgograd and Ostrava plan a youth exchange');
  await edit.lead().fill('A draft nobody else can see yet.');
  await edit.save();
  await expect(page).toHaveURL(/\/news\/volgograd-and-ostrava-plan-a-youth-exchange$/);
  await expect(page.getByTestId('status-badge')).toHaveText('Draft');

  const visitor = await browser.newPage();
  const response = await visitor.goto('/news/volgograd-and-ostrava-plan-a-youth-exchange');
  expect(response?.status()).toBe(404);
  await visitor.goto('/news');
  await expect(visitor.getByText('Volgograd and Ostrava plan a youth exchange')).toHaveCount(0);

  await edit.open('/news/volgograd-and-ostrava-plan-a-youth-exchange');
  await page.getByLabel('Status').selectOption('published');
  await edit.save();
  await expect(page.getByTestId('status-badge')).toHaveCount(0);
  expect((await visitor.goto('/news/volgograd-and-ostrava-plan-a-youth-exchange'))?.status()).toBe(200);
  await visitor.close();
});

test('history shows a change and restores the earlier text', async ({ page }) => {
  await logIn(page);
  const path = '/news/youth-conference-for-peace-2020-summed-up';
  const edit = new EditForm(page);
  await edit.open(path);
  await edit.title().fill('A different title for the conference');
  await edit.save();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('A different title for the conference');

  await page.goto(`${path}/history`);
  await waitForHydration(page);
  await page.getByRole('link', { name: 'Compare version 1 with the current text' }).click();
  const diff = page.getByTestId('diff');
  await expect(diff.locator('ins')).toContainText(['different']);
  await expect(diff.locator('del').first()).toBeVisible();
  await expectNoAxeViolations(page);
  await page.getByRole('button', { name: 'Restore version 1' }).click();
  await expect(page.getByText('Restored as version 3.')).toBeVisible();
  await page.goto(path);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(SEED_TITLES[6]);
});

test('an uploaded cover image appears on the page', async ({ page }) => {
  await logIn(page);
  const path = '/news/mayors-for-peace-letter-against-nuclear-tests';
  const edit = new EditForm(page);
  await edit.open(path);
  // A 2×1 PNG: one red and one blue pixel.
  const png = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAIAAAB7QOjdAAAAD0lEQVR4nGM4IScnYhYLAAbKAawWP1ynAAAAAElFTkSuQmCC',
    'base64',
  );
  await page.getByLabel(/Upload a JPEG, PNG or WebP image/).setInputFiles({
    name: 'cover.png',
    mimeType: 'image/png',
    buffer: png,
  });
  await expect(page.getByTestId('cover-preview')).toBeVisible();
  await page.getByLabel('Describe the image for people who cannot see it').fill('Red and blue');
  await edit.save();
  await expect(edit.form()).toHaveCount(0);
  const cover = page.locator('figure.cover img');
  await expect(cover).toHaveAttribute('alt', 'Red and blue');
  await expect(cover).toHaveAttribute('srcset', /\/media\/[0-9a-f]{64}\/2\.jpg 2w/);
  // Loaded, not a broken image (the browser scales natural sizes by the srcset descriptor).
  await expect
    .poll(() => cover.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0))
    .toBe(true);
});

test('an admin edits a city in place; editors cannot edit cities', async ({ page, browser }) => {
  const editor = await editorPage(browser, EDITOR);
  await editor.goto('/cities/kemi');
  await expect(editor.getByRole('heading', { level: 1 })).toHaveText('Kemi');
  await expect(editor.getByTestId('edit-toggle')).toHaveCount(0);
  await editor.context().close();

  await logIn(page, ADMIN);
  await page.goto('/cities/kemi');
  await waitForHydration(page);
  await page.getByTestId('edit-toggle').click();
  await page.getByLabel('Country note').fill('Lapland, on the Gulf of Bothnia');
  await expectNoAxeViolations(page);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('city-form')).toHaveCount(0);
  const visitor = await browser.newPage();
  await visitor.goto('/cities/kemi');
  await expect(visitor.locator('.facts').first()).toContainText('Lapland, on the Gulf of Bothnia');
  await visitor.close();
});

test('stored script payloads are inert for visitors and editors alike', async ({ page, browser }) => {
  await logIn(page);
  const slug = 'ostrava-online-concert-day-of-peoples-unity';
  const current = await page.request.post('/api/get_editable', { form: { kind: 'news', slug } });
  expect(current.status()).toBe(200);
  const item = await current.json();
  const fields = {
    ...item.fields,
    title: `Concert ${XSS_PAYLOADS[2]}`,
    lead: XSS_PAYLOADS.slice(0, 6).join(' '),
    body: XSS_PAYLOADS.map((p, i) => `Payload ${i + 1}: ${p}`).join('\n\n'),
    tags: ['<script>window.__xss=99</script>'],
  };
  const saved = await page.request.post('/api/update_item', {
    data: { id: item.id, base_version: item.version, fields },
  });
  expect(saved.status()).toBe(200);

  const visitor = await browser.newPage();
  const dialogs: string[] = [];
  visitor.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  for (const path of [`/news/${slug}`, '/news', '/search?q=Concert', '/tags/script-window-xss-99-script']) {
    await visitor.goto(path);
    await waitForHydration(visitor);
    expect(await visitor.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  }
  await visitor.goto(`/news/${slug}`);
  await expect(visitor.getByRole('heading', { level: 1 })).toHaveText(`Concert ${XSS_PAYLOADS[2]}`);
  await expect(visitor.locator('.body script, .body iframe, .body [onerror], .body [onload]')).toHaveCount(0);
  await visitor.locator('.body a').evaluateAll((links) =>
    links.forEach((a) => {
      if ((a as HTMLAnchorElement).protocol === 'javascript:') throw new Error(`live link ${a.outerHTML}`);
    }),
  );
  await visitor.close();

  await page.goto(`/news/${slug}?edit`);
  await waitForHydration(page);
  await expect(page.getByLabel('Title', { exact: true })).toHaveValue(`Concert ${XSS_PAYLOADS[2]}`);
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  expect(dialogs).toEqual([]);
});

test('a saved title that closes the head runs nothing for visitors', async ({ page, browser }) => {
  await logIn(page);
  const slug = 'perm-oxford-friendship-week';
  const title = 'Friendship week </title><script nonce="attacker">window.__xss=40</script></head>';
  const current = await page.request.post('/api/get_editable', { form: { kind: 'news', slug } });
  const item = await current.json();
  const saved = await page.request.post('/api/update_item', {
    data: { id: item.id, base_version: item.version, fields: { ...item.fields, title } },
  });
  expect(saved.status()).toBe(200);

  const visitor = await browser.newPage();
  for (const path of [`/news/${slug}`, `/news/${slug}`, '/news']) {
    await visitor.goto(path);
    await waitForHydration(visitor);
    expect(await visitor.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await expect(visitor.locator('script[nonce="attacker"]')).toHaveCount(0);
  }
  await visitor.goto(`/news/${slug}`);
  expect(await visitor.title()).toContain(title);
  await expect(visitor.getByRole('heading', { level: 1 })).toHaveText(title);
  await visitor.close();
  await page.goto(`/news/${slug}`);
  await waitForHydration(page);
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
});

test('edit mode and the editor pages have no axe-core violations', async ({ page }) => {
  await logIn(page, ADMIN);
  const edit = new EditForm(page);
  await edit.open('/events/dialogue-on-the-volga-forum-2020');
  await expectNoAxeViolations(page);
  await page.goto('/audit');
  await expect(page.getByTestId('audit-log')).toContainText('save');
  await expectNoAxeViolations(page);
  await page.goto('/login');
  await expectNoAxeViolations(page);
});
