import { type Config, parseConfig } from '../../server/config';

export const TEST_APP_SECRET = 'test-secret-that-is-long-enough-for-the-app-0123456789';

/** A valid test configuration; no file is written (the secret is given). */
export function testConfig(env: Record<string, string> = {}): Config {
  return parseConfig(
    { NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: '/nonexistent-test-data-dir', ...env },
    () => TEST_APP_SECRET,
  );
}
