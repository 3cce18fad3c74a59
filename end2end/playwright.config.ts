import { defineConfig } from '@playwright/test';
import path from 'node:path';
import { E2E_PASSWORD } from './tests/accounts';

// The suites run against the real server binary built by `cargo leptos build`, on a fresh
// database seeded with the ten listing items plus 120 generated older ones (13 feed pages).
const port = Number(process.env.E2E_PORT ?? 3100);
const targetDir = process.env.CARGO_TARGET_DIR ?? '/var/tmp/twincity-target';
const bin = process.env.TWINCITY_BIN ?? path.join(targetDir, 'debug', 'twincity');
// scripts/test.sh builds the site for the tests into target/site-test (target/site is the
// running portal's).
const siteRoot = process.env.LEPTOS_SITE_ROOT ?? path.join(__dirname, '..', 'target', 'site-test');
const db = path.join(__dirname, '.cache', 'e2e.db');
// The editing suite changes content, so it gets its own server and database.
const editorPort = port + 1;
const editorDb = path.join(__dirname, '.cache', 'e2e-editor.db');
const addUser = (name: string, role: string) =>
  `printf '%s\\n' "$E2E_PASSWORD" | "${bin}" --db "${editorDb}" user add ${name} --role ${role}`;

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  workers: 2,
  // One retry for the noise of these shared 2-core machines. A test that fails twice still fails
  // the run, a retried pass is reported as "flaky", and a failure prints what its pages logged
  // and left unanswered (that is how a page that never hydrated showed its missing script policy).
  retries: 1,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  projects: [
    { name: 'visitors', testIgnore: /editor\.spec\.ts/ },
    {
      name: 'editors',
      testMatch: /editor\.spec\.ts/,
      use: { baseURL: `http://127.0.0.1:${editorPort}` },
    },
  ],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'off',
    launchOptions: {
      // Debian's Chromium; Playwright never downloads a browser here.
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: [
    {
      command: [
        `mkdir -p "${path.dirname(db)}"`,
        `rm -f "${db}" "${db}-wal" "${db}-shm"`,
        `"${bin}" --db "${db}" generate 120`,
        `exec "${bin}" --db "${db}" --addr 127.0.0.1:${port}`,
      ].join(' && '),
      url: `http://127.0.0.1:${port}/`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'ignore',
      stderr: 'pipe',
      env: { LEPTOS_SITE_ROOT: siteRoot, RUST_LOG: 'warn' },
    },
    {
      command: [
        `mkdir -p "${path.dirname(editorDb)}"`,
        `rm -rf "${editorDb}" "${editorDb}-wal" "${editorDb}-shm" "${path.dirname(editorDb)}/media" "${path.dirname(editorDb)}/documents"`,
        addUser('olga', 'editor'),
        addUser('ivan', 'admin'),
        `exec "${bin}" --db "${editorDb}" --addr 127.0.0.1:${editorPort}`,
      ].join(' && '),
      url: `http://127.0.0.1:${editorPort}/`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'ignore',
      stderr: 'pipe',
      env: { LEPTOS_SITE_ROOT: siteRoot, RUST_LOG: 'warn', E2E_PASSWORD },
    },
  ],
});
