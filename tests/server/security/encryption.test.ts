import { describe, expect, it } from 'vitest';
import {
  DecryptionError,
  decryptSecret,
  encryptSecret,
  keyIdOf,
  keyringFromSecret,
} from '../../../server/security/encryption';

const SECRET_A = 'a-first-app-secret-that-is-long-enough-000';
const SECRET_B = 'a-second-app-secret-that-is-long-enough-11';
const TOKEN = 'procore-access-token-9f8e7d6c5b4a';

describe('token encryption', () => {
  it('round-trips, and the stored value does not contain the plaintext', () => {
    const ring = keyringFromSecret(SECRET_A);
    const sealed = encryptSecret(ring, TOKEN);
    expect(sealed).not.toContain(TOKEN);
    expect(Buffer.from(sealed.split(':')[4] ?? '', 'base64url').toString()).not.toContain(TOKEN);
    expect(sealed).toMatch(/^v1:[\w-]+:[\w-]+:[\w-]+:[\w-]+$/);
    expect(decryptSecret(ring, sealed)).toBe(TOKEN);
  });

  it('never repeats a ciphertext for the same plaintext', () => {
    const ring = keyringFromSecret(SECRET_A);
    expect(encryptSecret(ring, TOKEN)).not.toBe(encryptSecret(ring, TOKEN));
  });

  it('does not decrypt with another APP_SECRET', () => {
    const sealed = encryptSecret(keyringFromSecret(SECRET_A), TOKEN);
    expect(() => decryptSecret(keyringFromSecret(SECRET_B), sealed)).toThrow(DecryptionError);
  });

  it('still decrypts old values after rotation, and new values use the new key', () => {
    const old = encryptSecret(keyringFromSecret(SECRET_A), TOKEN);
    const rotated = keyringFromSecret(SECRET_B, [SECRET_A]);
    expect(decryptSecret(rotated, old)).toBe(TOKEN);
    const fresh = encryptSecret(rotated, TOKEN);
    expect(keyIdOf(fresh)).toBe(rotated.current.id);
    expect(keyIdOf(fresh)).not.toBe(keyIdOf(old));
    // Once the old secret is dropped from the ring, the old value is unreadable.
    expect(() => decryptSecret(keyringFromSecret(SECRET_B), old)).toThrow(/key/);
  });

  it('binds a value to its context and rejects tampering', () => {
    const ring = keyringFromSecret(SECRET_A);
    const sealed = encryptSecret(ring, TOKEN, 'company:1');
    expect(decryptSecret(ring, sealed, 'company:1')).toBe(TOKEN);
    expect(() => decryptSecret(ring, sealed, 'company:2')).toThrow(DecryptionError);
    const parts = sealed.split(':');
    const ct = Buffer.from(parts[4] ?? '', 'base64url');
    ct[0] = (ct[0] ?? 0) ^ 1;
    parts[4] = ct.toString('base64url');
    expect(() => decryptSecret(ring, parts.join(':'), 'company:1')).toThrow(DecryptionError);
    expect(() => decryptSecret(ring, 'not-encrypted')).toThrow(DecryptionError);
  });

  it('derives a stable key id that does not reveal the secret', () => {
    const a = keyringFromSecret(SECRET_A).current.id;
    expect(keyringFromSecret(SECRET_A).current.id).toBe(a);
    expect(SECRET_A).not.toContain(a);
  });
});
