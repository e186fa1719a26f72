// The embedded database's own thread (server/db/pglite-thread.ts starts it). PGlite runs
// PostgreSQL as WebAssembly and answers a statement without returning to the event loop, so on
// the app's thread a sync's page held every request, timer and webhook for as long as it ran.
// Here it runs beside the app: the app's thread sends a statement and goes on until the answer
// arrives. Plain JavaScript: a worker thread loads its file with no TypeScript loader, both from
// the sources (tsx, vitest) and from the bundle `npm start` builds (scripts/build-server.mjs).
//
// Protocol: workerData { dataDir?, loadDataDir?: { bytes: ArrayBuffer, type }, startParams (added
// to PGlite's own) }.
// The thread posts { ready: true } or { failed: error } once; then answers each request
// { id, op, sql?, params? } with { id, result } or { id, error }, and whether the session is
// inside a transaction after it (`inTransaction`).
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, types } from '@electric-sql/pglite';

const keepText = (value) => value;

/** What a failed statement says, as plain data (an Error's own fields do not cross threads). */
function failureOf(err) {
  if (!(err instanceof Error)) return { message: String(err) };
  const fields = { name: err.name, message: err.message };
  for (const key of ['code', 'severity', 'detail', 'hint', 'constraint', 'table', 'column', 'schema']) {
    if (typeof err[key] === 'string') fields[key] = err[key];
  }
  return fields;
}

async function open() {
  const { dataDir, loadDataDir, startParams } = workerData;
  return PGlite.create(dataDir, {
    // int8 and numeric as strings, as `pg` returns them (Procore ids are 64-bit); dates as
    // 'YYYY-MM-DD' (a timesheet date has no time zone).
    parsers: { [types.INT8]: keepText, [types.NUMERIC]: keepText, [types.DATE]: keepText },
    startParams: [...PGlite.defaultStartParams, ...startParams],
    ...(loadDataDir ? { loadDataDir: new Blob([loadDataDir.bytes], { type: loadDataDir.type }) } : {}),
  });
}

const handlers = {
  async query(pg, { sql, params }) {
    const r = await pg.query(sql, params);
    return { rows: r.rows, affectedRows: r.affectedRows };
  },
  /** Several statements in one string (pg-boss's migrations and its BEGIN … COMMIT lists). */
  async exec(pg, { sql }) {
    const results = await pg.exec(sql);
    const last = results[results.length - 1];
    return { rows: last?.rows ?? [], affectedRows: last?.affectedRows ?? 0 };
  },
  /** Rolls back a transaction its holder left open; says whether there was one. */
  async endTransaction(pg) {
    if (pg.closed || !pg.isInTransaction()) return false;
    await pg.exec('rollback');
    return true;
  },
  async dump(pg) {
    const file = await pg.dumpDataDir('gzip');
    return { bytes: await file.arrayBuffer(), type: file.type };
  },
  async close(pg) {
    if (!pg.closed) await pg.close();
    return null;
  },
};

let pg;
try {
  pg = await open();
  parentPort.postMessage({ ready: true });
} catch (err) {
  parentPort.postMessage({ failed: failureOf(err) });
}

/** Sent with every answer, so the app's thread knows without asking whether one is open. */
const inTransaction = () => !pg.closed && pg.isInTransaction();

if (pg) {
  // One request at a time, in the order they came: PGlite is one session.
  let queue = Promise.resolve();
  parentPort.on('message', (request) => {
    queue = queue.then(async () => {
      try {
        const result = await handlers[request.op](pg, request);
        const transfer = request.op === 'dump' ? [result.bytes] : [];
        parentPort.postMessage({ id: request.id, result, inTransaction: inTransaction() }, transfer);
      } catch (err) {
        parentPort.postMessage({ id: request.id, error: failureOf(err), inTransaction: inTransaction() });
      }
      if (request.op === 'close') parentPort.close();
    });
  });
}
