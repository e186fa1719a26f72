#!/usr/bin/env node
// `npm test`: the whole suite — vitest (server, database on PGlite and, with TEST_DATABASE_URL,
// PostgreSQL), the fault suite (tests/faults/: whole app processes killed and restarted, run
// alone after the rest), then Playwright in a real Chromium — closing with one plain line
// `N passed, N failed` that counts every test of every runner.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { stdio: 'inherit', ...opts });

function findChromium() {
  if (process.env.CHROMIUM_PATH)
    return existsSync(process.env.CHROMIUM_PATH) ? process.env.CHROMIUM_PATH : null;
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  return null;
}

function ensureChromium() {
  if (findChromium()) return true;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && existsSync('/usr/bin/apt-get')) {
    console.log("Chromium not found: installing Debian's chromium with apt-get (one time).");
    run('apt-get', ['update', '-qq']);
    const r = run('apt-get', ['install', '-y', '-qq', 'chromium'], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (r.status === 0 && findChromium()) return true;
  }
  const pw = run('npx', ['playwright', 'install', 'chromium']);
  if (pw.status === 0) return true;
  console.error(
    '\nNo Chromium for the browser tests. Install one, then run `npm test` again:\n' +
      '  sudo apt-get install -y chromium        (Debian/Ubuntu)\n' +
      '  or set CHROMIUM_PATH=/path/to/chromium\n',
  );
  return false;
}

function count(file, pick) {
  try {
    return pick(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return null;
  }
}

if (!ensureChromium()) process.exit(1);

for (const f of ['.vitest.json', '.faults.json', '.playwright.json']) rmSync(f, { force: true });

const build = run('npx', ['vite', 'build', '--logLevel', 'warn']);
if (build.status !== 0) {
  console.error('The web build failed.');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const vitest = run('npx', [
  'vitest',
  'run',
  '--reporter=dot',
  '--reporter=json',
  '--outputFile=.vitest.json',
]);
const unit = count('.vitest.json', (r) => ({
  passed: r.numPassedTests,
  failed: r.numFailedTests,
  skipped: r.numPendingTests + r.numTodoTests,
}));

const vitestCounts = (r) => ({
  passed: r.numPassedTests,
  failed: r.numFailedTests,
  skipped: r.numPendingTests + r.numTodoTests,
});
const faultRun = run(
  'npx',
  ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile=.faults.json'],
  { env: { ...process.env, FAULTS: '1' } },
);
const faults = count('.faults.json', vitestCounts);

const pw = run('npx', ['playwright', 'test']);
const e2e = count('.playwright.json', (r) => ({
  passed: r.stats.expected + r.stats.flaky,
  failed: r.stats.unexpected,
  skipped: r.stats.skipped,
}));

const passed = (unit?.passed ?? 0) + (faults?.passed ?? 0) + (e2e?.passed ?? 0);
let failed = (unit?.failed ?? 0) + (faults?.failed ?? 0) + (e2e?.failed ?? 0);
const skipped = (unit?.skipped ?? 0) + (faults?.skipped ?? 0) + (e2e?.skipped ?? 0);
// A runner that crashed before reporting counts as a failure, never as silence.
if (vitest.status !== 0 && !(unit && unit.failed > 0)) failed += 1;
if (faultRun.status !== 0 && !(faults && faults.failed > 0)) failed += 1;
if (pw.status !== 0 && !(e2e && e2e.failed > 0)) failed += 1;

console.log(
  `\nvitest: ${unit ? `${unit.passed} passed, ${unit.failed} failed` : 'no report'}; ` +
    `faults: ${faults ? `${faults.passed} passed, ${faults.failed} failed` : 'no report'}; ` +
    `playwright: ${e2e ? `${e2e.passed} passed, ${e2e.failed} failed` : 'no report'}`,
);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
