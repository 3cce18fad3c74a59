import { expect, type Browser } from '@playwright/test';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ADMIN, E2E_PASSWORD, EDITOR } from './accounts';
import { expectNoAxeViolations, htmlErrors, test, watchConsole } from './support';

// Two portals of its own, started and stopped here: "ours" follows the partner portal from the
// partner city's page (Ostrava); the partner publishes; an editor of ours approves the post in
// the inbox; visitors see it on Ostrava's page and the home page, in their language.
test.describe.configure({ mode: 'serial' });

const targetDir = process.env.CARGO_TARGET_DIR ?? '/var/tmp/twincity-target';
const bin = process.env.TWINCITY_BIN ?? path.join(targetDir, 'debug', 'twincity');
const siteRoot = process.env.LEPTOS_SITE_ROOT ?? path.join(__dirname, '..', '..', 'target', 'site-test');

interface Portal {
  base: string;
  handle: string;
  db: string;
  process: ChildProcess;
}
const portals: Portal[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

function run(db: string, args: string[], input?: string) {
  const done = spawnSync(bin, ['--db', db, ...args], {
    input,
    env: { ...process.env, RUST_LOG: 'warn', LEPTOS_OUTPUT_NAME: 'twincity' },
  });
  expect(done.status, String(done.stderr)).toBe(0);
}

async function startPortal(name: string, users: [string, string][]): Promise<Portal> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `twincity-${name}-`));
  const db = path.join(dir, 'twincity.db');
  for (const [user, role] of users) run(db, ['user', 'add', user, '--role', role], `${E2E_PASSWORD}\n`);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(
    bin,
    ['--db', db, '--addr', `127.0.0.1:${port}`, '--public-url', base, '--federation-allow-loopback', 'serve'],
    { env: { ...process.env, LEPTOS_SITE_ROOT: siteRoot, RUST_LOG: 'warn' }, stdio: 'ignore' },
  );
  const portal = { base, handle: `news@127.0.0.1:${port}`, db, process: child };
  portals.push(portal);
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return portal;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} did not start`);
}

async function signedIn(browser: Browser, base: string, username: string) {
  const page = await (await browser.newContext()).newPage();
  const response = await page.request.post(`${base}/api/login`, {
    form: { username, password: E2E_PASSWORD },
    maxRedirects: 0,
  });
  expect(response.status()).toBeLessThan(400);
  return page;
}

let ours: Portal;
let partner: Portal;

test.beforeAll(async () => {
  ours = await startPortal('ours', [
    [ADMIN, 'admin'],
    [EDITOR, 'editor'],
  ]);
  partner = await startPortal('partner', []);
});

test.afterAll(() => {
  for (const portal of portals) portal.process.kill();
});

test('an admin follows a partner portal, an editor approves its post, visitors read it', async ({ browser }) => {
  test.setTimeout(120_000);
  const admin = await signedIn(browser, ours.base, ADMIN);
  const problems = watchConsole(admin);
  await admin.goto(`${ours.base}/cities/ostrava`);
  const handle = admin.getByLabel('Handle of the partner’s portal');

  // A handle that is not one is refused, in words, tied to the field.
  await handle.fill('ostrava');
  await admin.getByRole('button', { name: 'Follow' }).click();
  await expect(admin.getByRole('alert')).toContainText('Enter the handle as news@city.example.');
  await expect(admin.getByLabel('Handle of the partner’s portal')).toHaveAttribute('aria-invalid', 'true');
  await expectNoAxeViolations(admin);

  await admin.getByLabel('Handle of the partner’s portal').fill(partner.handle);
  await admin.getByRole('button', { name: 'Follow' }).click();
  const state = admin.getByTestId('partner-portal-state');
  await expect(state).toContainText(partner.handle);
  await expect(async () => {
    await admin.reload();
    await expect(state).toContainText('its news arrive here', { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  await expect(admin.getByRole('button', { name: 'Stop following' })).toBeVisible();

  // The partner publishes; the post waits in the editors' inbox.
  run(partner.db, ['generate', '1']);
  const editor = await signedIn(browser, ours.base, EDITOR);
  const editorProblems = watchConsole(editor);
  await editor.goto(`${ours.base}/inbox`);
  const post = editor.getByTestId('received-post').filter({ hasText: 'Generated item 1' });
  await expect(async () => {
    await editor.reload();
    await expect(post).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 40_000 });
  await expect(post).toContainText(partner.handle);
  await expectNoAxeViolations(editor);

  // Not public until approved.
  const visitor = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await visitor.goto(`${ours.base}/cities/ostrava`);
  await expect(visitor.locator('body')).not.toContainText('Generated item 1');
  // Visitors see whom the city's page follows, not the form.
  await expect(visitor.getByTestId('partner-portal-state')).toContainText(partner.handle);
  await expect(visitor.getByLabel('Handle of the partner’s portal')).toHaveCount(0);

  await post.getByRole('button', { name: 'Approve', exact: true }).click();
  await expect(editor.getByTestId('received-post').filter({ hasText: 'Generated item 1' })).toContainText(
    'approved',
  );
  await expectNoAxeViolations(editor);

  await visitor.goto(`${ours.base}/cities/ostrava`);
  await expect(visitor.getByTestId('partner-posts')).toContainText('Generated item 1');
  // The same with script, for axe (which runs in the page).
  const reader = await (await browser.newContext()).newPage();
  const readerProblems = watchConsole(reader);
  await reader.goto(`${ours.base}/cities/ostrava`);
  const strip = reader.getByTestId('partner-posts');
  await expect(strip).toContainText('From the partner’s portal');
  await expect(strip.getByRole('link', { name: 'Generated item 1' })).toHaveAttribute(
    'href',
    `${partner.base}/news/generated-1`,
  );
  await expectNoAxeViolations(reader);
  await reader.goto(`${ours.base}/ru/cities/ostrava`);
  await expect(reader.getByTestId('partner-posts')).toContainText('Тестовый материал 1');
  await reader.goto(`${ours.base}/`);
  await expect(reader.getByTestId('partner-posts')).toContainText('From our twin cities');
  await expect(reader.getByTestId('partner-posts')).toContainText('Generated item 1');
  await expectNoAxeViolations(reader);
  expect(readerProblems).toEqual([]);
  // Valid HTML: the inbox (as its editor reads it), the city page and the home page with posts.
  expect(await htmlErrors(editor.request, [`${ours.base}/inbox`, `${ours.base}/ru/inbox`])).toEqual([]);
  expect(
    await htmlErrors(reader.request, [`${ours.base}/cities/ostrava`, `${ours.base}/ru/`]),
  ).toEqual([]);

  // Editors cannot follow or stop following; visitors cannot read the inbox.
  const refused = await editor.request.post(`${ours.base}/api/unfollow_partner`, {
    form: { city: 'ostrava' },
    maxRedirects: 0,
  });
  expect(refused.status()).toBe(403);
  const outsider = await visitor.goto(`${ours.base}/inbox`);
  expect(outsider?.status()).toBe(401);
  expect(problems).toEqual([]);
  expect(editorProblems).toEqual([]);
});

test('an admin blocks a server from the inbox page and lifts the block', async ({ browser }) => {
  const admin = await signedIn(browser, ours.base, ADMIN);
  await admin.goto(`${ours.base}/ru/inbox`);
  await admin.getByLabel('Сервер или учётная запись для блокировки').fill('spam.example');
  await admin.getByRole('button', { name: 'Заблокировать', exact: true }).click();
  await expect(admin.locator('.blocks')).toContainText('spam.example');
  await expectNoAxeViolations(admin);
  await admin.getByRole('button', { name: 'Разблокировать spam.example' }).click();
  await expect(admin.locator('.blocks')).not.toContainText('spam.example');
  // An editor sees the inbox but not the block list.
  const editor = await signedIn(browser, ours.base, EDITOR);
  await editor.goto(`${ours.base}/inbox`);
  await expect(editor.getByTestId('inbox')).toBeVisible();
  await expect(editor.getByLabel('Server or account to block')).toHaveCount(0);
});
