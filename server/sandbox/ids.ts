import { randomBytes } from 'node:crypto';

// Crockford base32, the ULID alphabet (procore-api.md §6.2: v2.0 payloads carry a 26-char `ulid`,
// v4.0 payloads use a ULID as `id`).
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID: 48-bit millisecond time + 80 random bits, 26 characters. */
export function ulid(timeMs: number = Date.now()): string {
  let time = '';
  let t = Math.floor(timeMs);
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(16);
  let rand = '';
  for (let i = 0; i < 16; i++) rand += CROCKFORD[(bytes[i] ?? 0) % 32];
  return time + rand;
}

/** An opaque bearer credential (access token, refresh token, authorization code). */
export function opaqueToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** ISO 8601 UTC without milliseconds, the form Procore's timestamps take ("2024-03-01T14:22:10Z"). */
export function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}
