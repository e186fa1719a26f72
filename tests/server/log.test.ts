import { Writable } from 'node:stream';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { LOG_REDACT_PATHS, requestForLog } from '../../server/log';
import { buildTestApp } from '../helpers/app';
import { describeEachDatabase } from '../helpers/db';

describeEachDatabase('the app log', ({ db }) => {
  it('keeps the OAuth code and state, and the Authorization header, out of the log', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = pino(
      {
        level: 'info',
        redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' },
        serializers: { req: requestForLog },
      },
      sink,
    );
    const app = await buildTestApp(db(), { log });
    try {
      await app.inject({
        url: '/auth/procore/callback?code=the-authorization-code&state=the-oauth-state',
        headers: { authorization: 'Bearer the-session-token' },
      });
    } finally {
      await app.close();
    }
    const text = lines.join('');
    expect(text).toContain('/auth/procore/callback');
    for (const secret of ['the-authorization-code', 'the-oauth-state', 'the-session-token']) {
      expect(text).not.toContain(secret);
    }
  });
});
