/**
 * What a PostgreSQL `text` or `jsonb` value can hold. PostgreSQL refuses U+0000 outright (in text,
 * and as `\u0000` in jsonb), failing the whole statement it is part of. A lone UTF-16 surrogate is
 * worse: both drivers encode it as U+FFFD without a word, so what is stored differs from what was
 * meant. Text from outside (Procore, error messages) passes through here before it is written.
 */

// `u` mode: a well-formed surrogate pair is one astral code point, so `\p{Cs}` matches only a lone
// half.
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what has to go.
const UNSTORABLE = /[\u0000\p{Cs}]/gu;
// biome-ignore lint/suspicious/noControlCharactersInRegex: as above.
const HAS_UNSTORABLE = /[\u0000\p{Cs}]/u;

export function hasUnstorableCharacters(text: string): boolean {
  return HAS_UNSTORABLE.test(text);
}

/** The text without the characters PostgreSQL cannot store faithfully. */
export function removeUnstorableCharacters(text: string): string {
  return HAS_UNSTORABLE.test(text) ? text.replace(UNSTORABLE, '') : text;
}

/** Length in characters as PostgreSQL counts them (code points), counting no further than `limit + 1`. */
function codePointsUpTo(text: string, limit: number): { count: number; units: number } {
  let count = 0;
  let units = 0;
  for (const ch of text) {
    if (count === limit) break;
    count++;
    units += ch.length;
  }
  return { count, units };
}

/** True when `text` has more than `max` characters (code points). */
export function isLongerThan(text: string, max: number): boolean {
  if (text.length <= max) return false; // never more code points than UTF-16 units
  return codePointsUpTo(text, max).units < text.length;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * At most `max` characters, cut at a grapheme boundary where there is one, so an emoji sequence
 * or a letter with its accent is not split in half.
 */
export function truncateText(text: string, max: number): string {
  if (!isLongerThan(text, max)) return text;
  const cut = codePointsUpTo(text, max).units;
  // Boundaries before `cut` only depend on what precedes them, plus a little lookahead.
  const window = text.slice(0, cut + 64);
  let boundary = 0;
  for (const { index } of graphemes.segment(window)) {
    if (index > cut) break;
    boundary = index;
  }
  // One grapheme longer than `max` (a pile of combining marks): cut between code points.
  return text.slice(0, boundary > 0 ? boundary : cut);
}

/** Storable and at most `max` characters, without saying what changed (messages, logs). */
export function storableString(text: string, max: number): string {
  return truncateText(removeUnstorableCharacters(text), max);
}

export interface StorableJsonOptions {
  /** Longest string kept, in characters (longer ones are shortened and marked with "…"). */
  maxString?: number;
  /** Deepest nesting kept; anything below becomes "[nested too deeply]". */
  maxDepth?: number;
}

/**
 * A copy of a JSON-like value that a `jsonb` column accepts: every string and key made storable
 * and bounded, cycles and functions dropped. For values the app did not build itself, such as
 * a serialized error.
 */
export function storableJson(value: unknown, options: StorableJsonOptions = {}): unknown {
  const maxString = options.maxString ?? 10_000;
  const maxDepth = options.maxDepth ?? 8;
  const seen = new WeakSet<object>();
  const text = (s: string) => {
    const clean = removeUnstorableCharacters(s);
    return isLongerThan(clean, maxString) ? `${truncateText(clean, maxString - 1)}…` : clean;
  };
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return text(v);
    if (v === null || typeof v === 'number' || typeof v === 'boolean') return v;
    if (typeof v === 'bigint') return v.toString();
    if (typeof v !== 'object') return undefined; // functions, symbols, undefined: JSON drops them too
    if (seen.has(v)) return '[circular]';
    if (depth >= maxDepth) return '[nested too deeply]';
    seen.add(v);
    try {
      if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
      if (Array.isArray(v)) return v.map((item) => walk(item, depth + 1) ?? null);
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(v)) {
        const cleaned = walk(item, depth + 1);
        if (cleaned !== undefined) out[text(key)] = cleaned;
      }
      return out;
    } finally {
      seen.delete(v);
    }
  };
  return walk(value, 0);
}
