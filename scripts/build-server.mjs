#!/usr/bin/env node
// `npm start`'s server build: server/main.ts as one ES module, build/server.mjs, each migration
// as build/migrations/<name>.mjs, and the embedded database's thread as
// build/pglite-thread.worker.mjs (server/app-files.ts finds them there). Packages stay
// imports from node_modules. Plain Node then runs the bundle: no TypeScript loader in the app's
// process, whose module-hooks thread and transformed sources cost about 50 MB of resident memory
// (README, Performance). Each file is written under a temporary name and renamed, so a process
// starting meanwhile never reads half a file. About 0.2 s.
import { copyFileSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const migrations = readdirSync(join(root, 'migrations')).filter((f) => f.endsWith('.ts'));

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
  write: false,
  legalComments: 'none',
};

const results = await Promise.all([
  build({ ...common, entryPoints: ['server/main.ts'], outfile: 'build/server.mjs' }),
  build({
    ...common,
    entryPoints: migrations.map((f) => `migrations/${f}`),
    outdir: 'build/migrations',
    outExtension: { '.js': '.mjs' },
  }),
]);

const install = (path, write) => {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  write(temporary);
  renameSync(temporary, path);
};
for (const file of results.flatMap((r) => r.outputFiles)) {
  install(file.path, (to) => writeFileSync(to, file.contents));
}
// The embedded database's thread is plain JavaScript already; it goes beside the bundle.
const worker = 'pglite-thread.worker.mjs';
install(join(root, 'build', worker), (to) => copyFileSync(join(root, 'server/db', worker), to));
