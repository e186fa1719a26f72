import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Secrets at rest (Procore OAuth tokens, design.md "Data"): AES-256-GCM with a key derived from
 * APP_SECRET by HKDF-SHA256. Every value names the key that sealed it, so APP_SECRET can be
 * rotated: the new secret encrypts, the previous ones still decrypt until re-encrypted.
 *
 * Format: `v1:<keyId>:<iv>:<tag>:<ciphertext>`, each part base64url. The version and key id are
 * authenticated (GCM additional data) together with an optional caller context, so a value moved
 * to another row or relabelled with another key id does not decrypt.
 */

const VERSION = 'v1';
const SALT = Buffer.from('procore-worker-sync/secrets');
const IV_BYTES = 12; // GCM's standard nonce size
const TAG_BYTES = 16;

export interface Key {
  readonly id: string;
  readonly key: Buffer;
}

export interface Keyring {
  /** The key new values are encrypted with. */
  readonly current: Key;
  /** Every key that may decrypt, by id (the current one included). */
  readonly keys: ReadonlyMap<string, Key>;
}

export class DecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecryptionError';
  }
}

function deriveKey(secret: string): Key {
  if (secret.length < 32) throw new Error('an encryption secret must be at least 32 characters');
  const key = Buffer.from(hkdfSync('sha256', secret, SALT, 'aes-256-gcm token key', 32));
  // The id is a separate HKDF output: it names the key without revealing anything about it.
  const id = Buffer.from(hkdfSync('sha256', secret, SALT, 'key id', 6)).toString('base64url');
  return { id, key };
}

/** The keyring for APP_SECRET, plus earlier secrets that must still decrypt (oldest last). */
export function keyringFromSecret(appSecret: string, previous: readonly string[] = []): Keyring {
  const current = deriveKey(appSecret);
  const keys = new Map<string, Key>([[current.id, current]]);
  for (const secret of previous) {
    const k = deriveKey(secret);
    if (!keys.has(k.id)) keys.set(k.id, k);
  }
  return { current, keys };
}

function additionalData(keyId: string, context: string): Buffer {
  return Buffer.from(`${VERSION}:${keyId}:${context}`);
}

/** Seals `plaintext`; `context` (e.g. the row it belongs to) must be given again to decrypt. */
export function encryptSecret(keyring: Keyring, plaintext: string, context = ''): string {
  const { id, key } = keyring.current;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(id, context));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [
    VERSION,
    id,
    iv.toString('base64url'),
    tag.toString('base64url'),
    ciphertext.toString('base64url'),
  ].join(':');
}

/** The key id a stored value was sealed with (to find values that still need re-encrypting). */
export function keyIdOf(value: string): string {
  const [version, keyId] = value.split(':');
  if (version !== VERSION || !keyId) throw new DecryptionError('not an encrypted value of a known format');
  return keyId;
}

export function decryptSecret(keyring: Keyring, value: string, context = ''): string {
  const parts = value.split(':');
  if (parts.length !== 5 || parts[0] !== VERSION) {
    throw new DecryptionError('not an encrypted value of a known format');
  }
  const [, keyId, ivText, tagText, ciphertextText] = parts as [string, string, string, string, string];
  const key = keyring.keys.get(keyId);
  if (!key) {
    throw new DecryptionError(
      `value was encrypted with key ${keyId}, which this APP_SECRET (or its listed previous secrets) does not provide`,
    );
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(ivText, 'base64url'), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(additionalData(keyId, context));
    decipher.setAuthTag(Buffer.from(tagText, 'base64url'));
    const plaintext = Buffer.concat([
      decipher.update(Buffer.from(ciphertextText, 'base64url')),
      decipher.final(),
    ]);
    return plaintext.toString('utf8');
  } catch {
    throw new DecryptionError('value failed authentication (tampered, or sealed for another row)');
  }
}
