import { expect, it } from 'vitest';
import { threadFlags } from '../../../server/db/pglite-thread';

it("gives the database's thread the app's profiler flags only, not its preloads or V8's flags", () => {
  expect(
    threadFlags([
      '--max-old-space-size=512',
      '--max-semi-space-size=2',
      '--import',
      'tsx',
      '--import=./hooks.mjs',
      '--cpu-prof',
      '--cpu-prof-dir=/tmp/prof',
    ]),
  ).toEqual(['--cpu-prof', '--cpu-prof-dir=/tmp/prof']);
});
