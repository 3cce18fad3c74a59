// The benchmark suite (run by scripts/bench.sh after a release build). It measures, on this
// machine and in one run: SSR throughput and latency beside nginx serving the same bytes, the
// server's memory, feed and search times on 100,000 items, shipped bytes and Lighthouse scores;
// then writes bench/results/latest.md. It reports figures against the budgets and never fails on
// them: a benchmark, not a test.

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(HERE);
const TARGET = process.env.CARGO_TARGET_DIR ?? '/var/tmp/twincity-target';
const BIN = process.env.TWINCITY_BIN ?? path.join(TARGET, 'release', 'twincity');
const SITE = process.env.LEPTOS_SITE_ROOT ?? path.join(ROOT, 'target', 'site');
const WORK = path.join(HERE, '.work');
const OUT = path.join(HERE, 'results', 'latest.md');
const QUICK = process.env.BENCH_QUICK === '1'; // shorter runs, for trying the suite out

const PAGES = {
  home: '/',
  feed: '/news',
  article: '/news/ostrava-online-concert-day-of-peoples-unity',
  map: '/map',
};
const WRK_SECONDS = QUICK ? 3 : 10;
const CONNECTIONS = 64;
const SAMPLES = QUICK ? 9 : 31;
const BIG = 100_000;

const log = (...args) => console.log('[bench]', ...args);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { encoding: 'utf8', ...opts });
/** What `cmd` prints on either stream (nginx and wrk write their versions to stderr). */
const version = (cmd, args) => {
  try {
    return run('sh', ['-c', '"$0" "$@" 2>&1', cmd, ...args]).trim().split('\n')[0];
  } catch (e) {
    return `${e.stdout ?? ''}`.trim().split('\n')[0] || `${cmd}: unavailable`;
  }
};

/** Starts the release server on `port` over `db` and waits for /healthz. */
async function startPortal(db, port, extra = []) {
  const child = spawn(BIN, ['--db', db, '--addr', `127.0.0.1:${port}`, ...extra], {
    env: { ...process.env, LEPTOS_SITE_ROOT: SITE, RUST_LOG: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return child;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  child.kill();
  throw new Error(`the portal did not start on port ${port}`);
}

async function stop(child) {
  if (child.exitCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await done;
}

/** Resident memory of `pid` in MB. */
function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) / 1024;
}

const UNIT_MS = { us: 0.001, ms: 1, s: 1000 };

/** Runs `cmd` without blocking the event loop (so samplers keep running); its stdout. */
function runAsync(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}`))));
  });
}

/** wrk at CONNECTIONS connections for WRK_SECONDS: requests per second and p50/p99 in ms. */
async function wrk(url) {
  const out = await runAsync('wrk', ['-t2', `-c${CONNECTIONS}`, `-d${WRK_SECONDS}s`, '--latency', url]);
  const pct = (p) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(out);
    return m ? Number(m[1]) * UNIT_MS[m[2]] : NaN;
  };
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)[1]),
    p50: pct(50),
    p99: pct(99),
    errors: errors ? Number(errors[1]) : 0,
  };
}

/** Time of one GET in ms, as curl measures it (connect to last byte). */
function timeGet(url) {
  const out = run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code} %{time_total}', url]);
  const [code, seconds] = out.split(' ');
  if (code !== '200') throw new Error(`${url} answered ${code}`);
  return Number(seconds) * 1000;
}

function medianGet(url, samples = SAMPLES) {
  for (let i = 0; i < 3; i++) timeGet(url);
  return median(Array.from({ length: samples }, () => timeGet(url)));
}

function nginxConf(port, root) {
  const asRoot = process.getuid?.() === 0 ? 'user root;\n' : '';
  return `${asRoot}worker_processes 2;
daemon off;
pid ${WORK}/nginx.pid;
error_log ${WORK}/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${WORK}/nginx-tmp;
  proxy_temp_path ${WORK}/nginx-tmp;
  fastcgi_temp_path ${WORK}/nginx-tmp;
  uwsgi_temp_path ${WORK}/nginx-tmp;
  scgi_temp_path ${WORK}/nginx-tmp;
  server {
    listen 127.0.0.1:${port};
    root ${root};
    default_type text/html;
    location / { try_files $uri =404; }
  }
}
`;
}

async function throughput() {
  const db = path.join(WORK, 'site.db');
  run(BIN, ['--db', db, 'generate', '120'], { stdio: 'ignore' });
  const portal = await startPortal(db, 3300);
  const idle = rssMb(portal.pid);

  // nginx serves the very bytes the portal sent, from disk.
  const staticDir = path.join(WORK, 'static');
  mkdirSync(staticDir, { recursive: true });
  mkdirSync(path.join(WORK, 'nginx-tmp'), { recursive: true });
  for (const [name, url] of Object.entries(PAGES)) {
    run('curl', ['-sf', '-o', path.join(staticDir, `${name}.html`), `http://127.0.0.1:3300${url}`]);
  }
  // The map's countries layer, as the browser downloads it.
  const map = readFileSync(path.join(staticDir, 'map.html'), 'utf8');
  const layer = /src="(\/map\/countries\.svg\?v=[^"]+)"/.exec(map)?.[1];
  if (layer) {
    run('curl', ['-sf', '-o', path.join(WORK, 'countries.svg'), `http://127.0.0.1:3300${layer.replaceAll('&amp;', '&')}`]);
  }
  const conf = path.join(WORK, 'nginx.conf');
  writeFileSync(conf, nginxConf(3301, staticDir));
  const nginx = spawn('nginx', ['-c', conf, '-p', WORK], { stdio: 'inherit' });
  await sleep(500);

  const rows = [];
  let peak = idle;
  for (const [name, url] of Object.entries(PAGES)) {
    log(`wrk ${name}`);
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssMb(portal.pid));
    }, 100);
    const ours = await wrk(`http://127.0.0.1:3300${url}`);
    clearInterval(sampler);
    const theirs = await wrk(`http://127.0.0.1:3301/${name}.html`);
    rows.push({ name, url, ours, theirs });
  }
  await stop(nginx);
  await stop(portal);
  return { rows, idle, peak };
}

async function bigDatabase() {
  const db = path.join(WORK, 'big.db');
  log(`generating ${BIG} items`);
  const started = Date.now();
  run(BIN, ['--db', db, 'generate', String(BIG)], { stdio: 'ignore' });
  const generateSeconds = (Date.now() - started) / 1000;
  // Without the page cache: each request renders its page (a kept page would answer whatever
  // the query string, so varying it no longer makes one render).
  const portal = await startPortal(db, 3302, ['--page-cache-mb', '0']);
  const base = 'http://127.0.0.1:3302';
  const pages = Math.ceil((BIG + 10) / 10);
  const times = {
    page1: medianGet(`${base}/news`),
    page5000: medianGet(`${base}/news?page=5000`),
    lastPage: medianGet(`${base}/news?page=${pages}`),
    city: medianGet(`${base}/news?city=chemnitz`),
    cityDeep: medianGet(`${base}/news?city=chemnitz&page=300`),
    cityPage: medianGet(`${base}/cities/chemnitz`),
    partnerships: medianGet(`${base}/partnerships`),
  };
  const queries = ['Chemnitz', 'exchange', 'concert', 'Ostrava youth', 'delegation', 'Jilin',
    'school', 'peace', 'Coven', 'sports cup', 'exhibition Turin', 'nothing-matches-this'];
  const searchSamples = [];
  for (const q of queries) {
    const url = `${base}/search?q=${encodeURIComponent(q)}`;
    timeGet(url);
    for (let i = 0; i < (QUICK ? 3 : 9); i++) searchSamples.push(timeGet(url));
  }
  times.search = median(searchSamples);
  await stop(portal);
  return { times, generateSeconds, queries: queries.length, searchSamples: searchSamples.length };
}

/** The pkg/ files a page's islands need: none without islands; else the main module and its
 * scripts, and for each lazy island on the page the files the split manifest lists for its loader. */
function codeOfPage(html, files, manifest) {
  const main = files.filter((f) => /^(twincity\.[^.]+\.(wasm|js)|__wasm_split\.[^.]+\.js)$/.test(f));
  const snake = (name) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  const islands = [...html.matchAll(/<leptos-island data-component="([A-Za-z0-9]+)_[0-9]+"/g)].map((m) => m[1]);
  const lazy = islands.flatMap((island) =>
    Object.entries(manifest)
      .filter(([loader]) => loader.startsWith(`${snake(island)}_loader_`))
      .flatMap(([, chunks]) => chunks.map((c) => files.find((f) => f === `${c}.wasm`)).filter(Boolean)),
  );
  // navigate.js loads the main module only on a page with an island.
  return { islands, files: islands.length ? [...new Set([...main, ...lazy])] : [] };
}

/** What each page's code weighs, from the page the release server renders and the split manifest;
 * editor code is what only the editors' islands load. */
async function shippedBytes() {
  const pkg = path.join(SITE, 'pkg');
  const files = readdirSync(pkg).filter((f) => !/\.(br|gz)$/.test(f));
  const read = (file) => readFileSync(path.join(pkg, file));
  const gz = (file) => zlib.gzipSync(read(file), { level: 9 }).length;
  // What a browser that accepts brotli is sent: the file written at build time.
  const br = (file) =>
    existsSync(path.join(pkg, `${file}.br`))
      ? read(`${file}.br`).length
      : zlib.brotliCompressSync(read(file)).length;
  const manifestFile = files.find((f) => /^__wasm_split_manifest\..*\.json$/.test(f));
  const manifest = manifestFile ? JSON.parse(read(manifestFile)) : {};
  const db = path.join(WORK, 'bytes.db');
  const portal = await startPortal(db, 3304);
  const pages = {};
  for (const [name, url] of Object.entries(PAGES)) {
    const html = await (await fetch(`http://127.0.0.1:3304${url}`)).text();
    const code = codeOfPage(html, files, manifest);
    pages[name] = {
      ...code,
      gz: code.files.reduce((n, f) => n + gz(f), 0),
      br: code.files.reduce((n, f) => n + br(f), 0),
    };
  }
  await stop(portal);
  const visitorFiles = new Set(Object.values(pages).flatMap((p) => p.files));
  const editorOnly = Object.entries(manifest)
    .filter(([loader]) => /editor/.test(loader))
    .flatMap(([, chunks]) => chunks.map((c) => `${c}.wasm`))
    .filter((f) => files.includes(f) && ![...Object.entries(manifest)]
      .filter(([loader]) => !/editor/.test(loader))
      .some(([, chunks]) => chunks.includes(f.replace(/\.wasm$/, ''))));
  const modules = files
    .filter((f) => /\.(wasm|js)$/.test(f))
    .map((f) => ({ file: f, raw: read(f).length, gz: gz(f), br: br(f) }));
  const css = files.find((f) => /\.css$/.test(f));
  const layer = readFileSync(path.join(WORK, 'countries.svg'));
  return {
    pages,
    modules,
    editorVisitorBytes: editorOnly.filter((f) => visitorFiles.has(f)).reduce((n, f) => n + gz(f), 0),
    css: { raw: read(css).length, gz: gz(css), br: br(css) },
    geometry: {
      raw: layer.length,
      gz: zlib.gzipSync(layer).length,
      br: zlib.brotliCompressSync(layer).length,
    },
  };
}

/** The largest contributors to the WebAssembly, by crate (or app module), from twiggy run on the
 * module before wasm-split and wasm-bindgen strip its names; custom sections are left out, as no
 * browser receives them. */
function wasmContents() {
  const wasm = path.join(TARGET, 'front', 'wasm32-unknown-unknown', 'wasm-release', 'frontend.wasm');
  const csv = run('twiggy', ['top', '-n', '1000000', '-f', 'csv', wasm], { maxBuffer: 1 << 28 });
  const totals = new Map();
  for (const line of csv.split('\n').slice(1)) {
    const m = line.match(/^"?(.*?)"?,(\d+),/);
    // wasm-bindgen runs its `describe` functions at build time and leaves them out.
    if (!m || /custom section|subsection|__wbindgen_describe/.test(m[1])) continue;
    const name = m[1];
    const app = name.match(/app::([a-z_0-9]+)(::([a-z_0-9]+))?/);
    const crate = name.match(/^<?&?(?:mut )?(?:<T as )?([a-z_0-9]+)(?:\[[0-9a-f]+\])?::/);
    const key = name.startsWith('data segment')
      ? 'data segment (constants: both languages\' interface catalogue, panic and format strings)'
      : /__wbg_|__wbindgen/.test(name)
        ? 'wasm-bindgen glue'
        : app && name.startsWith('app::')
          ? `app::${app[1]}${app[3] ? `::${app[3]}` : ''}`
          : crate?.[1] ?? 'other';
    totals.set(key, (totals.get(key) ?? 0) + Number(m[2]));
  }
  return [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15);
}

/** Lighthouse mobile scores and Total Blocking Time of each page: the median of `LH_RUNS` runs. */
const LH_RUNS = QUICK ? 1 : 3;
async function lighthouse() {
  const db = path.join(WORK, 'site.db');
  const portal = await startPortal(db, 3303);
  const bin = path.join(HERE, 'node_modules', '.bin', 'lighthouse');
  const scores = {};
  for (const [name, url] of Object.entries(PAGES)) {
    const runs = [];
    for (let i = 0; i < LH_RUNS; i++) {
      log(`lighthouse ${name} (${i + 1} of ${LH_RUNS})`);
      const out = path.join(WORK, `lighthouse-${name}-${i}.json`);
      run(bin, [
        `http://127.0.0.1:3303${url}`,
        '--chrome-path=/usr/bin/chromium',
        '--chrome-flags=--headless=new --no-sandbox --disable-gpu',
        '--only-categories=performance,accessibility,best-practices,seo',
        '--output=json',
        `--output-path=${out}`,
        '--quiet',
      ]);
      const report = JSON.parse(readFileSync(out, 'utf8'));
      const c = report.categories;
      runs.push({
        performance: Math.round(c.performance.score * 100),
        accessibility: Math.round(c.accessibility.score * 100),
        bestPractices: Math.round(c['best-practices'].score * 100),
        seo: Math.round(c.seo.score * 100),
        tbt: report.audits['total-blocking-time'].numericValue,
        firstVisitKb: report.audits['total-byte-weight'].numericValue / 1024,
      });
    }
    scores[name] = Object.fromEntries(
      Object.keys(runs[0]).map((key) => [key, median(runs.map((r) => r[key]))]),
    );
  }
  await stop(portal);
  return scores;
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (x) => `${x.toFixed(2)} ms`;
const verdict = (ok) => (ok ? 'met' : '**not met**');

function report({ machine, tp, big, bytes, lh, contents }) {
  const feed = tp.rows.find((r) => r.name === 'feed');
  const ratio = feed.ours.rps / feed.theirs.rps;
  const reading = Math.max(bytes.pages.home.gz, bytes.pages.feed.gz, bytes.pages.article.gz);
  const lhMin = (key) => Math.min(...Object.values(lh).map((s) => s[key]));
  const depth = big.times.page5000 / big.times.page1;
  const budgets = [
    ['feed page throughput / nginx static, same run', ratio.toFixed(2), '≥ 0.5', ratio >= 0.5],
    [`p99 latency at ${CONNECTIONS} connections, feed page`, ms(feed.ours.p99), '≤ 20 ms', feed.ours.p99 <= 20],
    ['page 5,000 time / page 1 time at 100k items', depth.toFixed(2), '≤ 1.5', depth <= 1.5],
    ['search median at 100k items', ms(big.times.search), '≤ 10 ms', big.times.search <= 10],
    ['wasm + JS a first visit to `/`, `/news`, an article downloads (largest), gzipped', kb(reading), '≤ 150 KB', reading <= 150 * 1024],
    ['the same for `/map` (map island included)', kb(bytes.pages.map.gz), '≤ 150 KB', bytes.pages.map.gz <= 150 * 1024],
    ['bytes of editor code a visitor downloads', `${bytes.editorVisitorBytes}`, '0', bytes.editorVisitorBytes === 0],
    [
      `Lighthouse mobile (lowest of four pages, median of ${LH_RUNS} runs): performance / a11y / best practices / SEO`,
      `${lhMin('performance')} / ${lhMin('accessibility')} / ${lhMin('bestPractices')} / ${lhMin('seo')}`,
      '≥ 95 / 100 / 100 / 100',
      lhMin('performance') >= 95 && lhMin('accessibility') >= 100 && lhMin('bestPractices') >= 100 && lhMin('seo') >= 100,
    ],
    [
      'Total Blocking Time, Lighthouse mobile (highest of four pages)',
      `${Math.max(...Object.values(lh).map((s) => s.tbt)).toFixed(0)} ms`,
      '≤ 50 ms',
      Object.values(lh).every((s) => s.tbt <= 50),
    ],
    ['server RSS under load', `${tp.peak.toFixed(1)} MB`, '≤ 64 MB', tp.peak <= 64],
  ];
  const lines = [
    '# Benchmark results',
    '',
    `Run ${machine.date}${QUICK ? ' (quick mode: shorter runs)' : ''} on ${machine.cpus} × ${machine.cpu}, ` +
      `${machine.memory} GB RAM, Linux ${machine.kernel}; ${machine.rustc}; ${machine.nginx}; ${machine.wrk}. ` +
      'Everything ran on the same machine at once (the load generator shares the cores with the server), ' +
      'so ratios against nginx in the same run matter more than absolute figures.',
    '',
    '## Budgets',
    '',
    '| figure | measured | budget | |',
    '|---|---|---|---|',
    ...budgets.map(([f, m, b, ok]) => `| ${f} | ${m} | ${b} | ${verdict(ok)} |`),
    '',
    `## Server-side rendering beside nginx (wrk, ${CONNECTIONS} connections, ${WRK_SECONDS} s each)`,
    '',
    '| page | twincity req/s | nginx req/s | ratio | twincity p50 | twincity p99 | nginx p99 | errors |',
    '|---|---|---|---|---|---|---|---|',
    ...tp.rows.map(
      (r) =>
        `| ${r.name} \`${r.url}\` | ${r.ours.rps.toFixed(0)} | ${r.theirs.rps.toFixed(0)} | ` +
        `${(r.ours.rps / r.theirs.rps).toFixed(2)} | ${ms(r.ours.p50)} | ${ms(r.ours.p99)} | ` +
        `${ms(r.theirs.p99)} | ${r.ours.errors + r.theirs.errors} |`,
    ),
    '',
    `Server resident memory: ${tp.idle.toFixed(1)} MB idle, ${tp.peak.toFixed(1)} MB at most under the load above.`,
    '',
    `## ${BIG.toLocaleString('en')} items (median of ${SAMPLES} requests, time to the last byte, each page rendered afresh)`,
    '',
    '| request | median |',
    '|---|---|',
    `| feed page 1 | ${ms(big.times.page1)} |`,
    `| feed page 5,000 | ${ms(big.times.page5000)} |`,
    `| feed, last page | ${ms(big.times.lastPage)} |`,
    `| feed filtered by city, page 1 | ${ms(big.times.city)} |`,
    `| feed filtered by city, page 300 | ${ms(big.times.cityDeep)} |`,
    `| a city page with its partnership | ${ms(big.times.cityPage)} |`,
    `| all partnerships (activity of 25 cities) | ${ms(big.times.partnerships)} |`,
    `| search (${big.queries} queries, ${big.searchSamples} requests) | ${ms(big.times.search)} |`,
    '',
    `Generating the items took ${big.generateSeconds.toFixed(0)} s.`,
    '',
    '## Shipped bytes',
    '',
    '| page | islands | wasm + JS files | gzipped | brotli (as sent) |',
    '|---|---|---|---|---|',
    ...Object.entries(bytes.pages).map(
      ([name, p]) => `| ${name} | ${p.islands.join(', ') || 'none'} | ${p.files.length} | ${kb(p.gz)} | ${kb(p.br)} |`,
    ),
    '',
    '| file | size | gzipped | brotli (quality 11; the files sent for pkg/) |',
    '|---|---|---|---|',
    ...bytes.modules.map((m) => `| \`${m.file.replace(/\.[A-Za-z0-9_-]{22}\./, '.')}\` | ${kb(m.raw)} | ${kb(m.gz)} | ${kb(m.br)} |`),
    `| CSS | ${kb(bytes.css.raw)} | ${kb(bytes.css.gz)} | ${kb(bytes.css.br)} |`,
    `| map geometry (\`/map/countries.svg\`, map pages only) | ${kb(bytes.geometry.raw)} | ${kb(bytes.geometry.gz)} | ${kb(bytes.geometry.br)} |`,
    '',
    '## What is in the WebAssembly (twiggy, before splitting; code and data, uncompressed)',
    '',
    '| contributor | bytes |',
    '|---|---|',
    ...contents.map(([name, bytes]) => `| ${name} | ${kb(bytes)} |`),
    '',
    '## Lighthouse (mobile, simulated throttling)',
    '',
    `Each figure is the median of ${LH_RUNS} runs.`,
    '',
    '| page | performance | accessibility | best practices | SEO | Total Blocking Time | first visit transfers |',
    '|---|---|---|---|---|---|---|',
    ...Object.entries(lh).map(
      ([name, s]) =>
        `| ${name} | ${s.performance} | ${s.accessibility} | ${s.bestPractices} | ${s.seo} | ${s.tbt.toFixed(0)} ms | ${kb(s.firstVisitKb * 1024)} |`,
    ),
    '',
  ];
  return lines.join('\n');
}

async function main() {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  mkdirSync(path.dirname(OUT), { recursive: true });
  const cpu = os.cpus();
  const machine = {
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    cpus: cpu.length,
    cpu: cpu[0]?.model.trim() ?? 'unknown CPU',
    memory: (os.totalmem() / 2 ** 30).toFixed(1),
    kernel: os.release(),
    rustc: version('rustc', ['--version']),
    nginx: version('nginx', ['-v']),
    wrk: version('wrk', ['--version']).split(' [')[0],
  };
  const tp = await throughput();
  const big = await bigDatabase();
  const bytes = await shippedBytes();
  const contents = wasmContents();
  const lh = await lighthouse();
  const markdown = report({ machine, tp, big, bytes, lh, contents });
  writeFileSync(OUT, markdown);
  console.log(markdown);
  log(`written to ${path.relative(ROOT, OUT)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
