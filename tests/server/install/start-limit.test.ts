import { expect, it } from 'vitest';
import { createStartLimit } from '../../../server/install/start-limit';
import { buildTestApp } from '../../helpers/app';
import { describeEachDatabase } from '../../helpers/db';

describeEachDatabase('starting sign-ins', ({ db }) => {
  it('lets one client start 20 sign-ins a minute, then says why and writes nothing more', async () => {
    const app = await buildTestApp(db());
    try {
      const answers = [];
      for (let i = 0; i < 25; i++) answers.push(await app.inject('/auth/procore/start?company_id=4280001'));
      expect(answers.slice(0, 20).every((a) => a.statusCode === 302)).toBe(true);
      for (const refused of answers.slice(20)) {
        expect(refused.statusCode).toBe(303);
        expect(refused.headers.location).toMatch(/^\/auth-popup\.html#error=too_many_attempts/);
      }
      const { n } = await db()
        .db.selectFrom('oauth_states')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(n)).toBe(20);
    } finally {
      await app.close();
    }
  });
});

it('gives a client a fresh budget when its minute is over, and keeps clients apart', () => {
  const limit = createStartLimit({ perWindow: 2, windowMs: 60_000 });
  expect([limit.take('a', 0), limit.take('a', 1), limit.take('a', 2)]).toEqual([true, true, false]);
  expect(limit.take('b', 3)).toBe(true);
  expect(limit.take('a', 60_000)).toBe(true);
});
