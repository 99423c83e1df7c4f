// pair verify: rows and checksums of both sides at one replication position; exit 1 on any difference.
import { createRequire } from 'node:module';
import type cliProgress from 'cli-progress';
import { type Command, InvalidArgumentError } from 'commander';
import type { RowDifference, TableVerdict, VerifyEvent, VerifyReport } from '../../pair/verify.js';
import type { CliIO, Colors } from '../io.js';
import { onInterrupt } from '../interrupt.js';
import { collect, context, examples, seconds, wholeNumber, type SetExit } from './context.js';

// cli-progress is loaded on the first progress bar, not at start-up.
const require = createRequire(import.meta.url);

interface Flags {
  blue?: string;
  green?: string;
  table?: string[];
  sample?: number;
  chunkRows?: number;
  maxKeys?: number;
  timeout?: number;
}

function percent(v: string): number {
  const n = Number(v.replace(/%$/, ''));
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 100)
    throw new InvalidArgumentError(`expected a percentage above 0 and at most 100, got "${v}"`);
  return n;
}

interface Progress {
  readonly onEvent: (e: VerifyEvent) => void;
  readonly close: () => void;
}

/** A bar per table on a terminal; JSON lines on stderr otherwise (chunks at most once a second). */
function progress(io: CliIO, c: Colors, json: boolean): Progress {
  if (json || !io.isTTY || !process.stderr.isTTY) {
    let last = 0;
    const line = (x: Record<string, unknown>) =>
      io.stderr(`${JSON.stringify({ ts: new Date().toISOString(), ...x })}\n`);
    return {
      close: () => undefined,
      onEvent(e) {
        if (e.kind === 'position')
          return line({ event: 'position', lsn: e.lsn, waitedMs: e.waitedMs, paused: e.paused });
        if (e.kind === 'notice') return line({ event: 'notice', message: e.message });
        if (e.kind === 'recheck') return line({ event: 'recheck', round: e.round, keys: e.keys, lsn: e.lsn });
        const now = Date.now();
        if (e.done < e.chunks && now - last < 1000) return;
        last = now;
        return line({ event: 'chunk', table: e.table, done: e.done, chunks: e.chunks, rows: e.rows });
      },
    };
  }
  let bar: cliProgress.SingleBar | undefined;
  let table: string | undefined;
  let forget: (() => void) | undefined;
  const stop = () => {
    bar?.stop();
    bar = undefined;
    table = undefined;
    forget?.();
    forget = undefined;
  };
  return {
    close: stop,
    onEvent(e) {
      if (e.kind === 'position') {
        stop();
        return io.stderr(
          `  ${c.dim(`read at live's position ${e.lsn}${e.paused ? ' (replication paused)' : `, standby caught up in ${e.waitedMs} ms`}`)}\n`,
        );
      }
      if (e.kind === 'notice') {
        stop();
        return io.stderr(`  ${c.yellow('note')}: ${e.message}\n`);
      }
      if (e.kind === 'recheck') {
        stop();
        return io.stderr(
          `  ${c.dim(`reading ${e.keys} differing key(s) again at live's position ${e.lsn} (round ${e.round}): writes in flight settle`)}\n`,
        );
      }
      if (table !== e.table) {
        stop();
        table = e.table;
        const p = require('cli-progress') as typeof cliProgress;
        bar = new p.SingleBar(
          {
            stream: process.stderr,
            format: `  {name} [{bar}] {value}/{total} chunks | {rows} rows | table {index}/{tables} | ETA {eta_formatted}`,
            hideCursor: true,
            clearOnComplete: true,
            etaBuffer: 20,
          },
          p.Presets.shades_classic,
        );
        bar.start(e.chunks, 0, { name: e.table, rows: 0, index: e.tableIndex + 1, tables: e.tables });
        forget = onInterrupt(stop); // Ctrl-C: the bar stops and gives the cursor back
      }
      bar!.update(e.done, { rows: e.rows });
      if (e.done >= e.chunks) stop();
    },
  };
}

function describeKey(d: RowDifference): string {
  return Object.entries(d.key)
    .map(([k, v]) => (k === 'row' && Object.keys(d.key).length === 1 ? v : `${k}=${v}`))
    .join(', ');
}

const KIND = { missing: 'missing on the standby', extra: 'only on the standby', changed: 'changed' } as const;

function printTable(t: TableVerdict, c: Colors): string[] {
  const rows =
    t.rows.live === t.rows.standby ? `${t.rows.live} rows` : `live ${t.rows.live} rows, standby ${t.rows.standby}`;
  const chunks = t.key ? `, ${t.comparedChunks}/${t.chunks} chunk(s) by (${t.key.join(', ')})` : '';
  const head = t.equal
    ? `  ${c.green('equal')}   ${t.table}: ${rows}${chunks}`
    : `  ${c.red('DIFFERS')} ${t.table}: ${rows}${chunks}${t.differingChunks ? `, ${t.differingChunks} chunk(s) differ` : ''}`;
  const out = [head];
  for (const d of t.differences) out.push(`      ${KIND[d.kind]}: ${describeKey(d)}`);
  if (t.moreDifferences) out.push(`      ... and ${t.moreDifferences} more`);
  if (t.onlyLive.length) out.push(`      ${c.dim(`not compared, only on live: ${t.onlyLive.join(', ')}`)}`);
  if (t.onlyStandby.length)
    out.push(`      ${c.dim(`not compared, only on the standby: ${t.onlyStandby.join(', ')}`)}`);
  for (const n of t.notes) out.push(`      ${c.dim(n)}`);
  return out;
}

export function printVerify(r: VerifyReport, c: Colors, ledgerSchema: string): string {
  const differing = r.tables.filter((t) => !t.equal);
  const out = [
    `${r.live} (live) against ${r.standby} (standby), generation ${r.generation}, at live's position ${r.position}${r.paused ? c.yellow(' (replication paused: standby read as it stands)') : ''}`,
    ...(r.sample ? [c.yellow(`sample: ${r.sample}% of each keyed table's chunks (not a full comparison)`)] : []),
    ...r.tables.flatMap((t) => printTable(t, c)),
    ...(r.onlyStandby.length ? [c.dim(`  not compared, only on the standby: ${r.onlyStandby.join(', ')}`)] : []),
    c.dim(
      `${r.tables.length} table(s) in ${(r.ms / 1000).toFixed(1)} s${r.recorded ? `; recorded in ${ledgerSchema}.verifications on ${r.live}` : ''}`,
    ),
    r.clean
      ? c.green(r.sample ? 'clean (sampled)' : 'clean')
      : c.red(`${differing.length} table(s) differ: ${differing.map((t) => t.table).join(', ')}`),
  ];
  return `${out.join('\n')}\n`;
}

export function registerPairVerify(
  pair: Command,
  io: CliIO,
  setExit: SetExit,
  withPairFlags: (c: Command) => Command,
): void {
  withPairFlags(pair.command('verify'))
    .description(
      'compare row counts and checksums of both sides in primary-key chunks at one replication position (read only); name differing keys; exit 1 on any difference',
    )
    .option('--table <name>', 'only this table (schema.table; repeatable, or comma-separated)', collect)
    .option(
      '--sample <percent>',
      "compare this percentage of each keyed table's chunks, picked at random (very large tables)",
      percent,
    )
    .option('--chunk-rows <n>', 'rows per chunk (default 10000)', wholeNumber)
    .option('--max-keys <n>', 'differing keys named per table (default 10)', wholeNumber)
    .option('--timeout <seconds>', "how long to wait for the standby to apply live's position (default 120)", seconds)
    .addHelpText(
      'after',
      examples([
        'switchyard pair verify                    # every application table, full',
        'switchyard pair verify --table public.orders --table public.items',
        "switchyard pair verify --sample 5         # 5% of each table's chunks: says it is a sample",
        "switchyard pair verify --json | jq '.tables[] | select(.equal | not)'",
        '',
        'Live is read in a REPEATABLE READ, READ ONLY snapshot; the standby likewise once it has applied past',
        "live's position. Nothing is written on either side while reading; the result is then recorded in live's",
        'ledger, where `cutover.requireVerify: true` makes the cutover gate ask for a recent clean one.',
      ]),
    )
    .action(async (o: Flags, cmd: Command) => {
      const ctx = context(cmd, io);
      const p = progress(io, ctx.c, ctx.json);
      const config = await ctx.config();
      let r: VerifyReport;
      try {
        const { pairVerifyCommand } = await import('../../commands/pair-verify.js');
        r = await pairVerifyCommand(config, { ...o, onEvent: p.onEvent });
      } finally {
        p.close();
      }
      ctx.print(r, () => printVerify(r, ctx.c, config.ledgerSchema));
      if (!r.clean) setExit(1);
    });
}
