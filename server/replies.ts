import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';

/**
 * Cursor paging shared by the list routes: the repository is asked for `limit + 1` rows; the
 * extra row only says that a next page exists, and the next page starts after the last row shown.
 */
export function pageOf<Row extends { id: string }>(
  rows: readonly Row[],
  limit: number,
): { page: Row[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  return { page, nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null };
}

const BOM = '\uFEFF';
const crlf = (text: string) => text.replace(/\r?\n/g, '\r\n');

/**
 * Text as Windows tools read it right: a UTF-8 byte-order mark (without it, Notepad and Excel read
 * the file as Windows-1252) and CRLF line ends.
 */
export function asWindowsText(text: string): string {
  return `${BOM}${crlf(text)}`;
}

/** `asWindowsText` of pieces that each end with a line break, piece by piece. */
function* asWindowsPieces(pieces: Iterable<string>): Generator<string> {
  yield BOM;
  for (const piece of pieces) yield crlf(piece);
}

/**
 * A log as a .txt download, never cached (it holds names and e-mail addresses): one text, or
 * pieces of whole lines streamed as they are made (a large run's file is never one string).
 */
export function sendLogFile(
  reply: FastifyReply,
  fileName: string,
  text: string | Iterable<string>,
): FastifyReply {
  return reply
    .type('text/plain; charset=utf-8')
    .header('content-disposition', `attachment; filename="${fileName}"`)
    .header('cache-control', 'no-store')
    .send(typeof text === 'string' ? asWindowsText(text) : Readable.from(asWindowsPieces(text)));
}
