import { fileURLToPath } from 'node:url';

/**
 * Where the app finds its files. The server runs either from its sources (`server/*.ts` under tsx
 * or vitest) or from the bundle `npm start` builds (`build/server.mjs`, scripts/build-server.mjs):
 * both sit one folder below the project root, so the root is the same either way. The bundle
 * cannot import TypeScript, so it reads the migrations the build compiled beside it
 * (`build/migrations/*.mjs`); the sources read `migrations/*.ts`.
 */
const here = import.meta.url;
const root = new URL('../', here);

/** The built web app (vite build output). */
export const WEB_DIST = fileURLToPath(new URL('dist/', root));

export const MIGRATIONS = here.endsWith('.ts')
  ? { dir: fileURLToPath(new URL('migrations/', root)), extension: '.ts' }
  : { dir: fileURLToPath(new URL('migrations/', here)), extension: '.mjs' };

/** The embedded database's thread (pglite-thread.ts): beside its sources, or copied beside the bundle. */
export const PGLITE_WORKER = here.endsWith('.ts')
  ? new URL('db/pglite-thread.worker.mjs', here)
  : new URL('pglite-thread.worker.mjs', here);
