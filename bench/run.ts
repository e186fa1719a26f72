import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * `npm run bench [name]`: runs every `bench/*.bench.ts` (or those whose name contains the
 * argument) and prints one row per measurement. Speed and memory goals live here, never in
 * timed tests.
 */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  goal?: string;
}

const dir = fileURLToPath(new URL('.', import.meta.url));
const filter = process.argv[2];
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts') && (!filter || f.includes(filter)))
  .sort();

if (files.length === 0) {
  console.log('no benchmarks yet');
  process.exit(0);
}

const rows: Array<BenchResult & { file: string }> = [];
for (const file of files) {
  const mod = (await import(pathToFileURL(`${dir}${file}`).href)) as { run: () => Promise<BenchResult[]> };
  console.log(`▶ ${file}`);
  const started = Date.now();
  for (const r of await mod.run()) {
    rows.push({ ...r, file });
    console.log(
      `  ${r.name.padEnd(64)} ${r.value.toFixed(2).padStart(10)} ${r.unit.padEnd(6)} ${r.goal ?? ''}`,
    );
  }
  console.log(`  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
process.exit(0);
