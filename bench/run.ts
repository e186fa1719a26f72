import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * `npm run bench [name]`: runs every `bench/*.bench.ts` (or `bench/<name>.bench.ts` when there is
 * one, else those whose name contains the argument), prints one table and writes it as JSON to
 * `bench/results/`. Speed and memory goals live here, never in timed tests.
 */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  goal?: string;
  /** More columns of the same measurement (the sync bench: requests, CPU, peak RSS, rows). */
  details?: Record<string, number | string>;
}

const dir = fileURLToPath(new URL('.', import.meta.url));
const filter = process.argv[2];
const all = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort();
const files = !filter
  ? all
  : all.includes(`${filter}.bench.ts`)
    ? [`${filter}.bench.ts`]
    : all.filter((f) => f.includes(filter));

if (files.length === 0) {
  console.log('no benchmarks yet');
  process.exit(0);
}

const rows: Array<BenchResult & { file: string }> = [];
for (const file of files) {
  const mod = (await import(pathToFileURL(`${dir}${file}`).href)) as { run: () => Promise<BenchResult[]> };
  console.error(`▶ ${file}`);
  const started = Date.now();
  for (const r of await mod.run()) rows.push({ ...r, file });
  console.error(`  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

const detailKeys = [...new Set(rows.flatMap((r) => Object.keys(r.details ?? {})))];
const header = ['measurement', 'value', 'unit', ...detailKeys, 'goal'];
const table = rows.map((r) => [
  r.name,
  r.value.toFixed(2),
  r.unit,
  ...detailKeys.map((k) => String(r.details?.[k] ?? '')),
  r.goal ?? '',
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i]?.length ?? 0)));
const line = (cells: string[]) =>
  `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
console.log(line(header));
console.log(
  `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
);
for (const t of table) console.log(line(t));

const resultsDir = `${dir}results`;
mkdirSync(resultsDir, { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const out = `${resultsDir}/${stamp}${filter ? `-${filter}` : ''}.json`;
writeFileSync(
  out,
  `${JSON.stringify({ at: new Date().toISOString(), filter: filter ?? null, rows }, null, 2)}\n`,
);
console.error(`written to ${out}`);
process.exit(0);
