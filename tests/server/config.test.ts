import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../server/config';

const noSecretFile = () => 'x'.repeat(40);

describe('configuration', () => {
  it('names every bad variable in one message', () => {
    const parse = () =>
      parseConfig({ PORT: 'eighty', PUBLIC_URL: 'not a url', SANDBOX_PORT: '70000' }, noSecretFile);
    expect(parse).toThrow(ConfigError);
    try {
      parse();
    } catch (err) {
      const message = (err as Error).message;
      expect(message).toContain('PORT');
      expect(message).toContain('PUBLIC_URL');
      expect(message).toContain('SANDBOX_PORT');
    }
  });

  it('is sandbox mode without Procore credentials, pointing at the local simulator', () => {
    const config = parseConfig({ SANDBOX_PORT: '4100' }, noSecretFile);
    expect(config.sandbox).toBe(true);
    expect(config.procore.apiUrl).toBe('http://127.0.0.1:4100');
    expect(config.procore.clientId).toBe('sandbox-client');
    expect(config.frameOrigins).toContain('http://127.0.0.1:4100');
    expect(config.frameOrigins).toContain('https://app.procore.com');
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.procore)).toBe(true);
  });

  it('requires APP_SECRET and both credentials outside sandbox mode', () => {
    expect(() => parseConfig({ PROCORE_CLIENT_ID: 'abc' }, noSecretFile)).toThrow(/PROCORE_CLIENT_SECRET/);
    expect(() =>
      parseConfig({ PROCORE_CLIENT_ID: 'abc', PROCORE_CLIENT_SECRET: 'def' }, noSecretFile),
    ).toThrow(/APP_SECRET/);
    const config = parseConfig({
      PROCORE_CLIENT_ID: 'abc',
      PROCORE_CLIENT_SECRET: 'def',
      APP_SECRET: 's'.repeat(32),
    });
    expect(config.sandbox).toBe(false);
    expect(config.procore.apiUrl).toBe('https://api.procore.com');
    expect(config.frameOrigins).not.toContain('http://127.0.0.1:4000');
  });

  it('rejects a frame origin that is not an origin', () => {
    expect(() =>
      parseConfig({ PROCORE_FRAME_ORIGINS: 'https://app.procore.com/path' }, noSecretFile),
    ).toThrow(/PROCORE_FRAME_ORIGINS/);
  });

  it('generates a development secret into DATA_DIR once and reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pws-config-'));
    try {
      const first = parseConfig({ DATA_DIR: dir });
      expect(existsSync(join(dir, 'secrets.json'))).toBe(true);
      expect(first.appSecret.length).toBeGreaterThanOrEqual(32);
      const second = parseConfig({ DATA_DIR: dir });
      expect(second.appSecret).toBe(first.appSecret);
      expect(readFileSync(join(dir, 'secrets.json'), 'utf8')).toContain(first.appSecret);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('secret rotation', () => {
  it('accepts previous secrets and refuses short ones', () => {
    const ok = parseConfig({ APP_SECRET_PREVIOUS: `${'a'.repeat(32)}, ${'b'.repeat(40)}` }, () =>
      'x'.repeat(40),
    );
    expect(ok.previousAppSecrets).toEqual(['a'.repeat(32), 'b'.repeat(40)]);
    expect(() => parseConfig({ APP_SECRET_PREVIOUS: 'short' }, () => 'x'.repeat(40))).toThrow(
      /APP_SECRET_PREVIOUS/,
    );
  });
});
