// Where `pair verify` leaves its result (live's ledger, table `verifications`, executor/ledger.ts migration 5),
// and the cutover gate's check on it (`cutover.requireVerify: true`): a clean, unfiltered verify of this
// generation, after the last phase applied on either side, of the schemas as they are now, and recent.
import type { Client } from '../db/connect.js';
import { qualified } from '../db/quote.js';
import { ensureLedger } from '../executor/ledger.js';
import type { Queryable } from '../introspect/index.js';
import type { Side } from './types.js';

/** What is recorded of a verify. */
export interface VerifyRecordInput {
  readonly live: Side;
  readonly generation: number;
  readonly position: string;
  readonly paused: boolean;
  readonly clean: boolean;
  readonly tables: readonly { readonly equal: boolean }[];
  readonly sample: number | null;
  readonly filtered: boolean;
  readonly fingerprints: { readonly live: string; readonly standby: string };
  readonly startedAt: string;
}

export async function recordVerify(live: Client, schema: string, r: VerifyRecordInput): Promise<void> {
  await ensureLedger(live, schema);
  await live.query(
    `INSERT INTO ${qualified(schema, 'verifications')} (live_side, generation, position, paused, clean, tables, differing_tables, sample, filtered, live_fingerprint, standby_fingerprint, started_at)
     VALUES ($1, $2, $3::pg_lsn, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      r.live,
      r.generation,
      r.position,
      r.paused,
      r.clean,
      r.tables.length,
      r.tables.filter((t) => !t.equal).length,
      r.sample,
      r.filtered,
      r.fingerprints.live,
      r.fingerprints.standby,
      r.startedAt,
    ],
  );
}

export interface VerifyRow {
  readonly generation: number;
  readonly position: string;
  readonly clean: boolean;
  readonly paused: boolean;
  readonly filtered: boolean;
  readonly sample: number | null;
  readonly liveFingerprint: string;
  readonly standbyFingerprint: string;
  readonly startedAt: Date;
  readonly finishedAt: Date;
}

/** The last verify recorded on this database for `live` at `generation`; undefined when none. */
export async function lastVerify(db: Queryable, schema: string, live: Side, generation: number) {
  const {
    rows: [exists],
  } = await db.query<{ t: string | null }>(`SELECT to_regclass($1)::text AS t`, [qualified(schema, 'verifications')]);
  if (!exists?.t) return undefined;
  const { rows } = await db.query<{
    generation: string;
    position: string;
    clean: boolean;
    paused: boolean;
    filtered: boolean;
    sample: string | null;
    lf: string;
    sf: string;
    started_at: Date;
    finished_at: Date;
  }>(
    `SELECT generation::text, position::text, clean, paused, filtered, sample::text, live_fingerprint AS lf, standby_fingerprint AS sf, started_at, finished_at
       FROM ${qualified(schema, 'verifications')} WHERE live_side = $1 AND generation = $2 ORDER BY finished_at DESC, id DESC LIMIT 1`,
    [live, generation],
  );
  const r = rows[0];
  if (!r) return undefined;
  return {
    generation: Number(r.generation),
    position: r.position,
    clean: r.clean,
    paused: r.paused,
    filtered: r.filtered,
    sample: r.sample === null ? null : Number(r.sample),
    liveFingerprint: r.lf,
    standbyFingerprint: r.sf,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  } satisfies VerifyRow;
}

/** When a phase step last finished (or was rolled back) in this database's ledger; null when none. */
export async function lastPhaseAt(db: Queryable, schema: string): Promise<Date | null> {
  const {
    rows: [exists],
  } = await db.query<{ t: string | null }>(`SELECT to_regclass($1)::text AS t`, [qualified(schema, 'steps')]);
  if (!exists?.t) return null;
  const {
    rows: [r],
  } = await db.query<{ at: Date | null }>(
    `SELECT max(coalesce(finished_at, started_at)) AS at FROM ${qualified(schema, 'steps')} WHERE started_at IS NOT NULL`,
  );
  return r?.at ?? null;
}

export interface VerifyGateInput {
  readonly live: Side;
  readonly standby: Side;
  readonly generation: number;
  /** Fingerprints of the application schemas as they are now. */
  readonly fingerprints: { readonly live: string; readonly standby: string };
  /** Most recent phase step on either side. */
  readonly lastPhaseAt: Date | null;
  readonly maxAgeHours: number;
  readonly now: Date;
}

/** The gate's `verify` check: ok only with a clean, full, recent verify since the last phase and schema change. */
export function verifyGateCheck(
  last: VerifyRow | undefined,
  g: VerifyGateInput,
): { check: string; ok: boolean; detail: string } {
  const fix = `fix: run switchyard pair verify (without --table) and cut over once it is clean`;
  const fail = (why: string) => ({
    check: 'verify',
    ok: false,
    detail: `${why} (cutover.requireVerify: true); ${fix}`,
  });
  if (!last) return fail(`no pair verify recorded for ${g.live} live at generation ${g.generation}`);
  const when = last.finishedAt.toISOString();
  if (!last.clean) return fail(`the last pair verify (${when}, position ${last.position}) found differences`);
  if (last.filtered) return fail(`the last pair verify (${when}) compared only some tables (--table)`);
  if (last.paused) return fail(`the last pair verify (${when}) read the standby while its subscription was disabled`);
  if (g.lastPhaseAt && g.lastPhaseAt >= last.startedAt)
    return fail(`a phase ran at ${g.lastPhaseAt.toISOString()}, after the last pair verify (${when})`);
  if (last.liveFingerprint !== g.fingerprints.live || last.standbyFingerprint !== g.fingerprints.standby)
    return fail(
      `the schema of ${last.liveFingerprint !== g.fingerprints.live ? g.live : g.standby} changed since the last pair verify (${when})`,
    );
  const ageHours = (g.now.getTime() - last.finishedAt.getTime()) / 3_600_000;
  if (ageHours > g.maxAgeHours)
    return fail(
      `the last clean pair verify (${when}) is ${ageHours.toFixed(1)} h old, more than cutover.verifyMaxAgeHours (${g.maxAgeHours})`,
    );
  return {
    check: 'verify',
    ok: true,
    detail: `clean pair verify at ${when} (position ${last.position}${last.sample ? `, ${last.sample}% sample` : ''})`,
  };
}

/** The `verify` gate check of a cutover, read from live's ledger and both schemas as they are now. */
export async function requireVerifyCheck(
  live: Queryable,
  standby: Queryable,
  o: {
    readonly ledgerSchema: string;
    readonly live: Side;
    readonly standby: Side;
    readonly generation: number;
    readonly fingerprints: { readonly live: string; readonly standby: string };
    readonly maxAgeHours: number;
  },
): Promise<{ check: string; ok: boolean; detail: string }> {
  const last = await lastVerify(live, o.ledgerSchema, o.live, o.generation);
  const phases = [await lastPhaseAt(live, o.ledgerSchema), await lastPhaseAt(standby, o.ledgerSchema)].filter(
    (d): d is Date => d !== null,
  );
  const {
    rows: [now],
  } = await live.query<{ now: Date }>('SELECT now() AS now');
  return verifyGateCheck(last, {
    ...o,
    lastPhaseAt: phases.length ? new Date(Math.max(...phases.map((d) => d.getTime()))) : null,
    now: now!.now,
  });
}
