import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { MIGRATIONS, WEB_DIST } from '../../server/app-files';

const root = fileURLToPath(new URL('../../', import.meta.url));

it('finds the web build and the TypeScript migrations from the sources', () => {
  expect(WEB_DIST).toBe(`${root}dist/`);
  expect(MIGRATIONS).toEqual({ dir: `${root}migrations/`, extension: '.ts' });
});
