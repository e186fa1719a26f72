/**
 * Procore ids are 64-bit and may pass 2^53 (procore-api.md §1.1, "store as 64-bit"), where
 * `JSON.parse` silently rounds them. Node 20 has no reviver source access, so before parsing,
 * every bare integer of 16 or more digits outside a string is quoted: it reaches the schemas as
 * its exact decimal text, and the id schemas keep ids as strings. Shorter integers are below
 * 2^53 and safe as numbers. The price: a non-id number that long would arrive as a string and
 * fail its schema loudly rather than be silently rounded, which is the right way to fail.
 */

// A JSON string (skipped as is) or a long bare integer not part of a decimal or exponent.
const LONG_INTEGER = /"(?:[^"\\]|\\.)*"|(?<![\d.eE+-])(-?\d{16,})(?![\d.eE])/g;
const HAS_LONG_DIGITS = /\d{16}/;

export function parseJsonSafe(text: string): unknown {
  if (!HAS_LONG_DIGITS.test(text)) return JSON.parse(text);
  return JSON.parse(
    text.replace(LONG_INTEGER, (match, digits: string | undefined) => (digits ? `"${digits}"` : match)),
  );
}
