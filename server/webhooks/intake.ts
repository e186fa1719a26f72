import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { noteWebhookDeliveries } from '../companies/companies.service';
import type { Database } from '../db/database';
import type { Jobs } from '../jobs/jobs';
import { insertDeliveries } from './deliveries.repository';
import type { WebhookEvent } from './payload';
import { userChangeKey, webhookUserChangeJob } from './webhook-user-change.job';

/**
 * How the receiver records a delivery (design.md flow 4: "insert under its unique id, answer 2xx
 * at once") on each database.
 *
 * PostgreSQL: the delivery is stored before the answer, deliveries arriving together in one
 * statement (group commit), so the receiver holds one pooled connection for one round trip however
 * fast they come, and touches no row anything else holds: it never waits behind a sync or the job
 * queue. Their jobs are queued right after the answers.
 *
 * PGlite is one connection, held for a whole transaction by whoever has it: a sync's page holds
 * it for up to a second, the job queue's polls and a batch of webhook changes queue on it too.
 * A delivery recorded there before the answer waited behind all of it. So on PGlite the receiver
 * appends the delivery to a journal file (a line written synchronously to
 * `<DATA_DIR>/webhook-journal/`, as durable as PGlite's own files, which it writes without fsync)
 * and answers; a writer moves the journal into `webhook_deliveries` in batches, one transaction
 * per batch (deliveries and their jobs together), whenever the
 * connection is free, and removes a journal file once everything in it is written. A process that
 * dies first leaves its journal files behind: the next start writes them (repeats are ignored by
 * the deliveries' unique key, as a retry from Procore is). Repeats are told apart in memory for
 * the deliveries this process has seen (Procore's retries of an answered delivery come within
 * seconds); an older repeat is answered as new and ignored when written. An in-memory PGlite (no
 * data directory: tests, benchmarks) keeps its pending deliveries in memory only, like its data.
 */
export interface AcceptedDelivery {
  event: WebhookEvent;
  /** The body as stored (`storablePayload`). */
  json: string;
  outcome: 'queued' | 'ignored';
  reason: string | null;
  receivedAt: Date;
}

export interface DeliveryIntake {
  /** Records the delivery (or journals it); `duplicate` when it was recorded already. */
  accept(delivery: AcceptedDelivery): Promise<'new' | 'duplicate'>;
  /** Resolves once every delivery accepted so far is in the database. */
  flush(): Promise<void>;
  /** Writes what is pending and stops; later deliveries wait for the next start. */
  close(): Promise<void>;
}

export interface IntakeDeps {
  db: Kysely<Database>;
  jobs: Pick<Jobs, 'sendMany' | 'wake'>;
  log: FastifyBaseLogger;
}

const deliveryId = (companyId: string, key: string) => `${companyId}:${key}`;

type InsertedDelivery = Awaited<ReturnType<typeof insertDeliveries>>[number];

/** One job per user the new deliveries announce a change of. */
function jobsFor(rows: readonly InsertedDelivery[]) {
  const users = new Map<string, { companyId: string; userId: string }>();
  for (const r of rows) {
    if (r.outcome !== 'queued' || !r.resource_id) continue;
    users.set(userChangeKey(r.company_id, r.resource_id), { companyId: r.company_id, userId: r.resource_id });
  }
  return [...users].map(([singletonKey, payload]) => ({ payload, singletonKey }));
}

const idsOf = (rows: readonly InsertedDelivery[]) =>
  new Set(rows.map((r) => deliveryId(r.company_id, r.delivery_key)));

/** One transaction: the deliveries not seen before, and their users' jobs. */
async function recordDeliveries(
  deps: IntakeDeps,
  deliveries: readonly AcceptedDelivery[],
): Promise<Set<string>> {
  const inserted = await deps.db.transaction().execute(async (trx) => {
    const rows = await insertDeliveries(trx, deliveries);
    await deps.jobs.sendMany(webhookUserChangeJob, jobsFor(rows), trx);
    return rows;
  });
  if (inserted.some((r) => r.outcome === 'queued')) deps.jobs.wake(webhookUserChangeJob);
  return idsOf(inserted);
}

/**
 * The company's last-delivery time (hook health, the Connection screen), written at most once a
 * second per company and never inside a delivery's transaction: it is one row, which every
 * delivery of the company would otherwise wait on while another holds it.
 */
function arrivalNotes(deps: IntakeDeps) {
  const notedAt = new Map<string, number>();
  const writing = new Set<Promise<void>>();
  return {
    note(companyId: string): void {
      const now = Date.now();
      if ((notedAt.get(companyId) ?? 0) > now - 1_000) return;
      if (notedAt.size >= 10_000) notedAt.clear();
      notedAt.set(companyId, now);
      const write = noteWebhookDeliveries(deps.db, [companyId])
        .catch((err: unknown) => deps.log.warn({ err, companyId }, 'could not note a webhook delivery'))
        .finally(() => writing.delete(write));
      writing.add(write);
    },
    async settled(): Promise<void> {
      await Promise.all(writing);
    },
  };
}

/**
 * PostgreSQL: deliveries are stored in one statement per batch, each answered once its statement
 * has committed (one round trip); up to WRITERS batches are in flight, and deliveries arriving
 * while they all are wait for the next (group commit), so the receiver holds at most WRITERS pooled
 * connections however fast deliveries come. Their jobs
 * follow in a statement of their own, after the answers. A process that dies in between leaves
 * deliveries waiting without a job: the minutely requeue (requeue.job.ts) queues them again.
 */
/** Batches in flight at once on PostgreSQL: a delivery does not wait for another's round trip. */
const WRITERS = 3;

function groupCommitIntake(deps: IntakeDeps): DeliveryIntake {
  const arrivals = arrivalNotes(deps);
  type Waiting = {
    delivery: AcceptedDelivery;
    answer: (r: 'new' | 'duplicate') => void;
    fail: (e: unknown) => void;
  };
  const queue: Waiting[] = [];
  const writers = new Set<Promise<void>>();
  let jobSends: Promise<void> = Promise.resolve();

  /** A repeat within one batch is answered as one, as it would be a moment later. */
  const answer = (batch: readonly Waiting[], inserted: Set<string>) => {
    const answered = new Set<string>();
    for (const w of batch) {
      const id = deliveryId(w.delivery.event.companyId, w.delivery.event.deliveryKey);
      w.answer(inserted.has(id) && !answered.has(id) ? 'new' : 'duplicate');
      answered.add(id);
    }
  };

  const store = async (batch: readonly Waiting[]) => {
    const rows = await insertDeliveries(
      deps.db,
      batch.map((w) => w.delivery),
    );
    answer(batch, idsOf(rows));
    const jobs = jobsFor(rows);
    if (jobs.length === 0) return;
    jobSends = jobSends
      .then(() => deps.jobs.sendMany(webhookUserChangeJob, jobs, deps.db))
      .then(
        () => deps.jobs.wake(webhookUserChangeJob),
        (err: unknown) =>
          deps.log.error(
            { err, jobs: jobs.length },
            'could not queue webhook work; the minutely requeue will',
          ),
      );
  };

  async function write(): Promise<void> {
    // Deliveries read in the same turn of the event loop go out together.
    await new Promise((r) => setImmediate(r));
    while (queue.length > 0) {
      const batch = queue.splice(0, BATCH_MAX);
      try {
        await store(batch);
        continue;
      } catch (err) {
        if (batch.length === 1) {
          batch[0]!.fail(err);
          continue;
        }
      }
      // One by one, so a delivery the database refuses does not fail the others.
      for (const w of batch) await store([w]).catch(w.fail);
    }
  }

  const settled = async () => {
    while (writers.size > 0) await Promise.all(writers);
    await jobSends;
    await arrivals.settled();
  };
  return {
    accept(delivery) {
      arrivals.note(delivery.event.companyId);
      return new Promise((resolve, reject) => {
        queue.push({ delivery, answer: resolve, fail: reject });
        if (writers.size < WRITERS) {
          const writer: Promise<void> = write().finally(() => writers.delete(writer));
          writers.add(writer);
        }
      });
    },
    flush: settled,
    close: settled,
  };
}

/** Deliveries written per transaction (11 parameters each, within PostgreSQL's 65,535). */
const BATCH_MAX = 2_000;
/** Delivery ids remembered to answer Procore's repeats. */
const RECENT_MAX = 20_000;
/** After a failed write, the writer tries again this much later. */
const RETRY_MS = 1_000;
/**
 * A write starts no sooner than this after the previous one: a steady stream of deliveries is
 * written in batches of tens rather than a transaction per delivery, and the first delivery after
 * a quiet spell is written at once.
 */
const WRITE_SPACING_MS = 50;

interface Segment {
  path: string;
  fd: number | null;
  /** Deliveries of the file not yet in the database. */
  unwritten: number;
}

interface Pending {
  delivery: AcceptedDelivery;
  segment: Segment | null;
}

/** Journal files: the current one takes appends; each goes once its deliveries are written. */
class Journal {
  #current: Segment | null = null;
  #seq = 0;

  constructor(
    readonly dir: string,
    private readonly log: FastifyBaseLogger,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  /** Deliveries a previous process journaled (each file's, in order), with their files. */
  leftovers(): Pending[] {
    const found: Pending[] = [];
    for (const name of readdirSync(this.dir)
      .filter((n) => n.endsWith('.jsonl'))
      .sort()) {
      const segment: Segment = { path: join(this.dir, name), fd: null, unwritten: 0 };
      for (const line of readFileSync(segment.path, 'utf8').split('\n')) {
        if (!line) continue;
        const delivery = parseLine(line);
        // A line cut short by the crash was never answered: Procore sends it again.
        if (!delivery) {
          this.log.warn({ file: segment.path }, 'skipped an unreadable webhook journal line');
          continue;
        }
        segment.unwritten++;
        found.push({ delivery, segment });
      }
      if (segment.unwritten === 0) unlinkSync(segment.path);
    }
    return found;
  }

  append(delivery: AcceptedDelivery): Segment {
    if (!this.#current) {
      const name = `${String(Date.now()).padStart(15, '0')}-${String(++this.#seq).padStart(6, '0')}.jsonl`;
      const path = join(this.dir, name);
      this.#current = { path, fd: openSync(path, 'a'), unwritten: 0 };
    }
    const segment = this.#current;
    writeSync(segment.fd!, `${JSON.stringify(delivery)}\n`);
    segment.unwritten++;
    return segment;
  }

  /** Later appends go to a new file; this one goes once its deliveries are written. */
  seal(): void {
    const segment = this.#current;
    if (!segment) return;
    this.#current = null;
    if (segment.fd !== null) closeSync(segment.fd);
    segment.fd = null;
  }

  written(segment: Segment): void {
    segment.unwritten--;
    if (segment.unwritten === 0 && segment !== this.#current) {
      try {
        unlinkSync(segment.path);
      } catch (err) {
        this.log.warn({ err, file: segment.path }, 'could not remove a written webhook journal file');
      }
    }
  }
}

function parseLine(line: string): AcceptedDelivery | null {
  try {
    const raw = JSON.parse(line) as AcceptedDelivery & { receivedAt: string };
    const { event } = raw;
    if (!event?.deliveryKey || !event.companyId || typeof raw.json !== 'string') return null;
    return {
      ...raw,
      event: { ...event, eventAt: event.eventAt ? new Date(event.eventAt) : null },
      receivedAt: new Date(raw.receivedAt),
    };
  } catch {
    return null;
  }
}

/** PGlite: journal, answer, write in batches when the connection is free. */
function journaledIntake(deps: IntakeDeps, journalDir: string | undefined): DeliveryIntake {
  const journal = journalDir ? new Journal(journalDir, deps.log) : null;
  const arrivals = arrivalNotes(deps);
  const pending: Pending[] = journal?.leftovers() ?? [];
  const recent = new Set<string>();
  let writer: Promise<void> | null = null;
  let closed = false;

  const remember = (id: string) => {
    recent.add(id);
    if (recent.size > RECENT_MAX) recent.delete(recent.values().next().value as string);
  };

  const done = (p: Pending) => {
    if (p.segment) journal?.written(p.segment);
  };

  let lastWriteAt = 0;
  async function write(): Promise<void> {
    // Deliveries arriving in the same turn of the event loop go out together.
    await new Promise((r) => setImmediate(r));
    while (pending.length > 0) {
      const wait = lastWriteAt + WRITE_SPACING_MS - Date.now();
      if (wait > 0 && !closed) await new Promise((r) => setTimeout(r, wait));
      lastWriteAt = Date.now();
      journal?.seal();
      const batch = pending.splice(0, BATCH_MAX);
      try {
        await recordDeliveries(
          deps,
          batch.map((p) => p.delivery),
        );
        for (const p of batch) done(p);
        continue;
      } catch (err) {
        deps.log.error({ err, deliveries: batch.length }, 'could not record webhook deliveries');
      }
      // One by one, so a delivery the database refuses does not hold the others back.
      const failed: Pending[] = [];
      for (const p of batch) {
        try {
          await recordDeliveries(deps, [p.delivery]);
          done(p);
        } catch {
          failed.push(p);
        }
      }
      pending.unshift(...failed);
      if (failed.length > 0) {
        if (closed) return;
        await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
  }

  function startWriting(): Promise<void> {
    writer ??= write().finally(() => {
      writer = null;
      if (pending.length > 0 && !closed) startWriting();
    });
    return writer;
  }

  if (pending.length > 0) {
    deps.log.info({ deliveries: pending.length }, 'recording webhook deliveries journaled before a restart');
    for (const p of pending) remember(deliveryId(p.delivery.event.companyId, p.delivery.event.deliveryKey));
    void startWriting();
  }

  return {
    async accept(delivery) {
      if (closed) throw new Error('the webhook intake is closed');
      arrivals.note(delivery.event.companyId);
      const id = deliveryId(delivery.event.companyId, delivery.event.deliveryKey);
      if (recent.has(id)) return 'duplicate';
      const segment = journal?.append(delivery) ?? null;
      remember(id);
      pending.push({ delivery, segment });
      void startWriting();
      return 'new';
    },
    async flush() {
      while (writer || pending.length > 0) await (writer ?? startWriting());
      await arrivals.settled();
    },
    async close() {
      closed = true;
      while (writer) await writer;
      if (pending.length > 0) await write();
      if (pending.length > 0) {
        deps.log.error(
          { deliveries: pending.length },
          'webhook deliveries not recorded at shutdown: the next start records them from the journal',
        );
      }
      journal?.seal();
      await arrivals.settled();
    },
  };
}

export function createDeliveryIntake(
  deps: IntakeDeps,
  database: { kind: 'pglite' | 'postgres'; dataDir?: string },
): DeliveryIntake {
  if (database.kind === 'postgres') return groupCommitIntake(deps);
  return journaledIntake(deps, database.dataDir ? join(database.dataDir, 'webhook-journal') : undefined);
}
