// Application-like write load for cutover tests: N clients, each with its own connection, running short
// write transactions (BEGIN; INSERT ... RETURNING id; COMMIT) in a loop. A write counts as acknowledged only
// when COMMIT returned OK: those are the rows a cutover must never lose. A failed transaction is counted by
// SQLSTATE (or the connection error), and the client reconnects and goes on with its next sequence number.
import pg from 'pg';
import { ident } from '../../src/db/quote.js';

export interface Acknowledged {
  readonly client: number;
  readonly seq: number;
}

export interface WriteLoadResult {
  readonly acknowledged: readonly Acknowledged[];
  /** Transactions that did not commit (or whose COMMIT was not answered). */
  readonly failed: number;
  /** Failures by SQLSTATE, or `connection` when there was none (connection lost, refused...). */
  readonly errors: Readonly<Record<string, number>>;
  readonly maxLatencyMs: number;
  /** Each committed transaction's time from BEGIN to the COMMIT answer, in order of completion. */
  readonly latencies: readonly number[];
  /** Every transaction (committed or failed) with its start and end, in order of completion: which ones overlapped a switch. */
  readonly spans?: readonly TransactionSpan[];
}

/** One transaction as the client saw it; times are `performance.now()` milliseconds of this process. */
export interface TransactionSpan {
  readonly client: number;
  readonly seq: number;
  /** When the client began it (before connecting, if it had to reconnect first). */
  readonly startMs: number;
  /** When COMMIT was answered, or the error arrived. */
  readonly endMs: number;
  readonly committed: boolean;
}

export interface WriteLoad {
  /** Acknowledged writes so far. */
  acknowledged(): number;
  /** The acknowledged writes so far (a copy): what must be on the live side at any moment. */
  acknowledgedWrites(): readonly Acknowledged[];
  /** Resolves once at least `n` more writes are acknowledged than when it was called. */
  waitForMore(n: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<WriteLoadResult>;
}

export interface WriteLoadOptions {
  readonly clients?: number;
  /** Pause between one client's transactions (default 0). */
  readonly thinkMs?: number;
  /**
   * The columns each write sets besides client and seq, asked per transaction (default: payload). A test
   * switches clients between application versions with it (the old one writes `x`, the new one `x__new`).
   */
  readonly columns?: (client: number, seq: number) => Record<string, unknown>;
}

/** The table the load writes to: `CREATE TABLE` text for `table` (run it on each side). */
export function writeLoadTable(table: string): string {
  return `CREATE TABLE ${ident(table)} (id bigserial PRIMARY KEY, client int NOT NULL, seq int NOT NULL, payload text NOT NULL, UNIQUE (client, seq))`;
}

export function startWriteLoad(url: string, table: string, o: WriteLoadOptions = {}): WriteLoad {
  const acknowledged: Acknowledged[] = [];
  const latencies: number[] = [];
  const spans: TransactionSpan[] = [];
  const errors: Record<string, number> = {};
  let failed = 0;
  let running = true;
  const columns = o.columns ?? ((client: number, seq: number) => ({ payload: `client ${client} write ${seq}` }));
  const insert = (client: number, seq: number): [string, unknown[]] => {
    const set = Object.entries(columns(client, seq));
    const names = ['client', 'seq', ...set.map(([c]) => c)].map(ident).join(', ');
    return [
      `INSERT INTO ${ident(table)} (${names}) VALUES ($1, $2${set.map((_, i) => `, $${i + 3}`).join('')}) RETURNING id`,
      [client, seq, ...set.map(([, v]) => v)],
    ];
  };

  const worker = async (client: number) => {
    let db: pg.Client | undefined;
    for (let seq = 1; running; seq++) {
      const started = performance.now();
      try {
        if (!db) {
          db = new pg.Client({ connectionString: url, application_name: `write-load-${client}` });
          db.on('error', () => undefined);
          await db.connect();
        }
        await db.query('BEGIN');
        await db.query(...insert(client, seq));
        await db.query('COMMIT');
        const ended = performance.now();
        acknowledged.push({ client, seq });
        latencies.push(ended - started);
        spans.push({ client, seq, startMs: started, endMs: ended, committed: true });
      } catch (e) {
        spans.push({ client, seq, startMs: started, endMs: performance.now(), committed: false });
        failed++;
        const code = (e as { code?: string }).code ?? 'connection';
        errors[code] = (errors[code] ?? 0) + 1;
        if (code === 'connection' || /^(08|57)/.test(code)) {
          await db?.end().catch(() => undefined);
          db = undefined;
          await new Promise((r) => setTimeout(r, 20));
        } else {
          await db?.query('ROLLBACK').catch(() => undefined);
        }
      }
      if (o.thinkMs) await new Promise((r) => setTimeout(r, o.thinkMs));
    }
    await db?.end().catch(() => undefined);
  };
  const workers = Array.from({ length: o.clients ?? 16 }, (_, i) => worker(i + 1));

  return {
    acknowledged: () => acknowledged.length,
    acknowledgedWrites: () => [...acknowledged],
    async waitForMore(n, timeoutMs = 20_000) {
      const target = acknowledged.length + n;
      const started = Date.now();
      while (acknowledged.length < target) {
        if (Date.now() - started > timeoutMs)
          throw new Error(
            `write load: only ${acknowledged.length} of ${target} writes acknowledged after ${timeoutMs} ms (errors: ${JSON.stringify(errors)})`,
          );
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async stop() {
      running = false;
      await Promise.all(workers);
      return {
        acknowledged,
        failed,
        errors,
        maxLatencyMs: latencies.reduce((m, x) => Math.max(m, x), 0),
        latencies,
        spans,
      };
    },
  };
}
