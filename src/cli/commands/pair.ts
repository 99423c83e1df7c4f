// pair init | status | verify | resync | teardown: the blue/green pair kept in sync by logical replication.
import { createRequire } from 'node:module';
import type cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { formatBytes } from '../../executor/preflight/types.js';
import type { PairInitResult, PairResyncResult } from '../../pair/init.js';
import type { PairStatus } from '../../pair/status.js';
import type { PairTeardownResult } from '../../pair/teardown.js';
import type { PairEvent } from '../../pair/types.js';
import type { ForeignWrite } from '../../pair/watch.js';
import type { CliIO, Colors } from '../io.js';
import { claimInterrupt, onInterrupt } from '../interrupt.js';
import { context, examples, noticeNotModeled, seconds, type SetExit } from './context.js';
import { registerPairVerify } from './pair-verify.js';

// cli-progress is loaded on the first progress bar, not at start-up.
const require = createRequire(import.meta.url);

interface Flags {
  blue?: string;
  green?: string;
  replicationUser?: string;
  live?: string;
  timeout?: number;
  once?: boolean;
}

function withPairFlags(cmd: Command): Command {
  return cmd
    .option('--blue <url>', 'URL of the blue database (default: pair.blue in switchyard.yaml)')
    .option('--green <url>', 'URL of the green database (default: pair.green in switchyard.yaml)')
    .option(
      '--replication-user <role>',
      "role the subscription logs in to the live side as (default: pair.replicationUser, else the URL's user)",
    );
}

interface Progress {
  readonly onEvent: (e: PairEvent) => void;
  readonly close: () => void;
}

/** A bar for the initial copy on a terminal; one JSON object per line on stderr otherwise (at most 1/s for sync). */
function progress(io: CliIO, c: Colors, json: boolean): Progress {
  if (json || !io.isTTY || !process.stderr.isTTY) {
    let last = 0;
    return {
      close: () => undefined,
      onEvent(e) {
        const line = (x: Record<string, unknown>) =>
          io.stderr(`${JSON.stringify({ ts: new Date().toISOString(), ...x })}\n`);
        if (e.kind === 'sync') {
          const now = Date.now();
          if (e.ready < e.tables && now - last < 1000) return;
          last = now;
          return line({
            event: 'sync',
            tables: e.tables,
            ready: e.ready,
            rows: e.rows,
            totalRows: e.totalRows,
            rowsPerSecond: Math.round(e.rowsPerSecond),
            elapsedMs: e.elapsedMs,
          });
        }
        if (e.kind === 'check')
          return line({
            event: 'check',
            id: e.check.id,
            status: e.check.status,
            detail: e.check.detail,
            ...(e.check.fix ? { fix: e.check.fix } : {}),
          });
        if (e.kind === 'step') return line({ event: 'step', step: e.step, state: e.state, detail: e.detail });
        return line({ event: 'notice', message: e.message });
      },
    };
  }
  let bar: cliProgress.SingleBar | undefined;
  let forget: (() => void) | undefined;
  const stop = () => {
    bar?.stop();
    bar = undefined;
    forget?.();
    forget = undefined;
  };
  const say = (t: string) => {
    stop();
    io.stderr(`${t}\n`);
  };
  return {
    close: stop,
    onEvent(e) {
      if (e.kind === 'check')
        return e.check.status === 'pass'
          ? undefined
          : say(
              `  ${e.check.status === 'warn' ? c.yellow('warn') : c.red('FAIL')} ${e.check.title}: ${e.check.detail}`,
            );
      if (e.kind === 'step')
        return say(`  ${e.state === 'skipped' ? c.dim('kept') : c.green('done')} ${e.step}: ${e.detail}`);
      if (e.kind === 'notice') return say(`  ${c.yellow('note')}: ${e.message}`);
      if (!bar) {
        const progress = require('cli-progress') as typeof cliProgress;
        bar = new progress.SingleBar(
          {
            stream: process.stderr,
            format:
              '  initial copy [{bar}] {percentage}% | {ready}/{tables} tables ready | {value}/{total} rows | {rps} rows/s | ETA {etaText}',
            hideCursor: true,
            etaBuffer: 20,
          },
          progress.Presets.shades_classic,
        );
        bar.start(Math.max(1, e.totalRows), 0, { ready: e.ready, tables: e.tables, rps: 0, etaText: '-' });
        forget = onInterrupt(stop); // Ctrl-C: the bar stops and gives the cursor back
      }
      bar.setTotal(Math.max(1, e.totalRows, e.rows));
      // Our own ETA: cli-progress shows NaN until rows move, and the rate here is measured over the whole copy.
      const etaText = e.rowsPerSecond > 0 ? `${Math.ceil(Math.max(0, e.totalRows - e.rows) / e.rowsPerSecond)} s` : '-';
      bar.update(e.rows, { ready: e.ready, tables: e.tables, rps: Math.round(e.rowsPerSecond), etaText });
      if (e.ready === e.tables) stop();
    },
  };
}

function printInit(r: PairInitResult | PairResyncResult, c: Colors, verb: string): string {
  const rate = r.copyMs > 0 ? ` (${Math.round((r.rows * 1000) / r.copyMs)} rows/s)` : '';
  return `${[
    `${c.green(verb)}: ${r.live} (live) -> ${r.standby} (standby), generation ${r.generation}`,
    `  publication ${r.publication} on ${r.live}, subscription ${r.subscription} on ${r.standby}`,
    `  catalog ${r.schema.action === 'built' ? `copied to the standby (${r.schema.objects} objects)` : 'already on the standby'} (fingerprint ${r.schema.fingerprint.slice(0, 19)}...)`,
    `  ${r.tables} table(s), about ${r.rows} rows, initial copy ${(r.copyMs / 1000).toFixed(1)} s${rate}; heartbeat reached the standby in ${r.heartbeatMs} ms`,
    ...('dropped' in r ? [`  ${r.dropped} object(s) dropped from the standby first`] : []),
    `next: switchyard pair status`,
  ].join('\n')}\n`;
}

export function printPairStatus(r: PairStatus, c: Colors): string {
  const out = [`blue  ${r.blue}`, `green ${r.green}`];
  if (r.live)
    out.push(
      `live ${c.bold(r.live)}, standby ${r.standby}, generation ${r.generation}, ${r.paired ? 'paired' : 'not paired'}`,
    );
  if (r.stream) {
    const s = r.stream;
    const lag = r.lag
      ? `lag ${r.lag.bytes === null ? '?' : formatBytes(r.lag.bytes)}, ${r.lag.seconds === null ? '?' : `${r.lag.seconds.toFixed(3)} s`}`
      : 'lag unknown';
    out.push(
      `stream ${s.subscription}: ${s.enabled ? 'enabled' : c.red('disabled')}, ${s.workerPid ? `apply worker pid ${s.workerPid}` : c.red('no apply worker')}, ${lag}${s.slot?.retainedBytes != null ? `, slot retains ${formatBytes(s.slot.retainedBytes)}` : ''}`,
    );
  }
  if (r.tables.length) {
    const ready = r.tables.filter((t) => t.state === 'r').length;
    out.push(
      `tables: ${ready}/${r.tables.length} ready${
        ready < r.tables.length
          ? ` (${r.tables
              .filter((t) => t.state !== 'r')
              .map((t) => `${t.table}: ${t.stateName}`)
              .join(', ')})`
          : ''
      }`,
    );
  }
  if (r.errors) out.push(`errors: ${r.errors.apply} apply, ${r.errors.sync} initial copy`);
  const drifting = r.sequences.filter((s) => s.behind !== '0');
  out.push(
    drifting.length
      ? `sequences: ${drifting.length} of ${r.sequences.length} differ (cutover copies them):`
      : `sequences: ${r.sequences.length}, equal on both sides`,
  );
  for (const s of drifting)
    out.push(
      `  ${s.sequence}: live ${s.live ?? 'unused'}, standby ${s.standby ?? (s.behind === null ? 'missing' : 'unused')}${s.behind !== null ? `, ${s.behind} behind` : ''}`,
    );
  if (r.schema) {
    out.push(
      r.schema.equal
        ? `schema: the same on both sides (${r.schema.live.slice(0, 19)}...)`
        : `schema: the sides differ (changes from live to the standby):`,
    );
    for (const d of r.schema.differences) out.push(`  - ${d}`);
  }
  if (r.catalog) {
    out.push(
      r.catalog.equal
        ? `catalog: the same on both sides (every object, modeled or not: ${r.catalog.live.slice(0, 19)}...)`
        : `catalog: the sides differ (${r.catalog.inFlight.length ? `${r.catalog.inFlight.join(', ')} in flight` : 'the cutover gate refuses until they are the same'}):`,
    );
    for (const d of r.catalog.differences) out.push(`  - ${d}`);
  }
  const retained =
    r.watch?.retainedBytes == null
      ? ''
      : `; the slot retains ${(r.watch.retainedBytes / 1024 ** 2).toFixed(1)} MB of WAL`;
  if (r.watch?.slot)
    out.push(
      r.watch.pending === null
        ? `watch ${r.watch.slot}: streamed by pid ${r.watch.streamedBy}${retained}`
        : `watch ${r.watch.slot}: ${r.watch.pending} write(s) on ${r.standby} (fenced) since the switch${r.watch.pending ? c.red(' (split brain)') : ''}${retained}`,
    );
  out.push(r.ok ? c.green('ok') : `${c.red('problems')}:`);
  for (const p of r.problems) out.push(`  - ${p}`);
  return `${out.join('\n')}\n`;
}

function printTeardown(r: PairTeardownResult, c: Colors): string {
  const out = [`${c.green('torn down')}: no subscription, publication or slot of the pair is left`];
  for (const side of ['blue', 'green'] as const) {
    const x = r.removed[side];
    const all = [
      ...x.subscriptions.map((n) => `subscription ${n}`),
      ...x.publications.map((n) => `publication ${n}`),
      ...x.slots.map((n) => `slot ${n}`),
    ];
    out.push(`  ${side}: ${all.length ? all.join(', ') : c.dim('nothing to remove')}`);
  }
  if (r.remainingSlots.length) out.push(c.red(`  still present: ${r.remainingSlots.join(', ')}`));
  return `${out.join('\n')}\n`;
}

/** One alarm line per foreign write. */
export function alarmLine(side: string, w: ForeignWrite, c: Colors, json: boolean): string {
  if (json)
    return `${JSON.stringify({
      event: 'alarm',
      side,
      table: w.table,
      kind: w.kind,
      key: w.key,
      committedAt: w.committedAt?.toISOString() ?? null,
      xid: w.xid,
      lsn: w.lsn,
    })}\n`;
  const key = w.key
    ? ` (${Object.entries(w.key)
        .map(([k, v]) => `${k}=${v ?? 'NULL'}`)
        .join(', ')})`
    : '';
  return `${c.red('ALARM')} ${w.committedAt?.toISOString() ?? '?'} ${w.kind} on ${w.table}${key} on fenced side ${side}: not from replication (split brain)\n`;
}

export function registerPair(program: Command, io: CliIO, setExit: SetExit): void {
  const pair = program
    .command('pair')
    .description(
      'the blue/green pair: set up logical replication from live to standby, watch it, rebuild it, remove it',
    )
    .addHelpText(
      'after',
      examples([
        'switchyard pair init --blue postgres://deploy@blue.internal/app --green postgres://deploy@green.internal/app',
        'switchyard pair status --json',
        'switchyard pair verify',
        'switchyard pair resync',
        'switchyard pair watch --once',
        'switchyard pair teardown',
      ]),
    );

  withPairFlags(pair.command('init'))
    .description(
      'preflight, copy the live schema to the standby, publish, subscribe, wait for the initial copy, store the topology (rerun to resume)',
    )
    .option('--live <side>', 'the live side when the pair was never set up: blue (default) or green')
    .option(
      '--timeout <seconds>',
      'give up waiting for the initial copy after this long (default: wait; rerun resumes)',
      seconds,
    )
    .addHelpText(
      'after',
      examples([
        'switchyard pair init                      # URLs from pair.blue / pair.green in switchyard.yaml',
        'switchyard pair init --blue "$BLUE_URL" --green "$GREEN_URL" --live blue',
        'switchyard pair init --timeout 3600 --json 2> progress.jsonl',
        '',
        'Interrupted? Run it again: each step checks what exists and the copy resumes.',
      ]),
    )
    .action(async (o: Flags, cmd: Command) => {
      const ctx = context(cmd, io);
      const p = progress(io, ctx.c, ctx.json);
      let r: PairInitResult;
      try {
        const { pairInitCommand } = await import('../../commands/pair.js');
        r = await pairInitCommand(await ctx.config(), { ...o, onEvent: p.onEvent });
      } finally {
        p.close();
      }
      ctx.print(r, () => printInit(r, ctx.c, 'paired'));
    });

  withPairFlags(pair.command('status'))
    .description(
      'live side, generation, lag (bytes and time), per-table sync state, sequence and schema drift, apply errors; exit 1 on a problem',
    )
    .addHelpText('after', examples(['switchyard pair status', 'switchyard pair status --json | jq .lag']))
    .action(async (o: Flags, cmd: Command) => {
      const ctx = context(cmd, io);
      const { pairStatusCommand } = await import('../../commands/pair.js');
      const r = await pairStatusCommand(await ctx.config(), o);
      ctx.print(r, () => printPairStatus(r, ctx.c));
      // The standby is a copy of live: its list is named apart only when it differs.
      if (r.notModeled) {
        noticeNotModeled(ctx, r.notModeled.live);
        if (JSON.stringify(r.notModeled.standby) !== JSON.stringify(r.notModeled.live) && !ctx.json) {
          io.stderr(ctx.c.yellow(`on the standby (${r.standby}):\n`));
          noticeNotModeled(ctx, r.notModeled.standby);
        }
      }
      if (!r.ok) setExit(1);
    });

  registerPairVerify(pair, io, setExit, withPairFlags);

  withPairFlags(pair.command('resync'))
    .description(
      'rebuild the standby from live (after a contract): drop the streams, empty the standby, copy schema and rows again',
    )
    .option('--timeout <seconds>', 'give up waiting for the initial copy after this long (default: wait)', seconds)
    .addHelpText('after', examples(['switchyard pair resync', 'switchyard pair resync --timeout 7200']))
    .action(async (o: Flags, cmd: Command) => {
      const ctx = context(cmd, io);
      const p = progress(io, ctx.c, ctx.json);
      let r: PairResyncResult;
      try {
        const { pairResyncCommand } = await import('../../commands/pair.js');
        r = await pairResyncCommand(await ctx.config(), { ...o, onEvent: p.onEvent });
      } finally {
        p.close();
      }
      ctx.print(r, () => printInit(r, ctx.c, 'resynced'));
    });

  withPairFlags(pair.command('watch'))
    .description(
      'split-brain watch: report every write on the fenced side that did not come from replication; exit 1 if any',
    )
    .option(
      '--once',
      'report the writes pending in the watch slot (without consuming them) and exit: 1 if any, 0 if none',
    )
    .addHelpText(
      'after',
      examples([
        'switchyard pair watch                     # streams until Ctrl-C, one ALARM line per foreign write',
        'switchyard pair watch --json | tee alarms.jsonl',
        'switchyard pair watch --once || page-oncall "writes on the fenced side"',
        '',
        'The watch slot is made by cutover/cutback on the side they fence. A streaming watch consumes what it',
        'reports: a later --once or pair status counts only the writes since.',
      ]),
    )
    .action(async (o: Flags, cmd: Command) => {
      const ctx = context(cmd, io);
      const stop = new AbortController();
      // Ctrl-C is how a streaming watch ends (exit 0 or 1 by what it saw): it claims the first signal.
      const release = o.once ? () => undefined : claimInterrupt(() => stop.abort());
      try {
        const { pairWatchCommand } = await import('../../commands/pair.js');
        const r = await pairWatchCommand(await ctx.config(), {
          ...o,
          once: o.once === true,
          signal: stop.signal,
          onStart: (side, slot) =>
            io.stderr(
              ctx.json
                ? `${JSON.stringify({ event: 'watching', side, slot })}\n`
                : `watching ${side} (fenced) through slot ${slot}; Ctrl-C to stop\n`,
            ),
          onAlarm: (w, side) => io.stdout(alarmLine(side, w, ctx.c, ctx.json)),
        });
        if (o.once) {
          for (const w of r.writes) io.stdout(alarmLine(r.side, w, ctx.c, ctx.json));
          if (r.pending === null) io.stderr(`${r.slot} is being streamed (a pair watch runs): it reports the writes\n`);
          else if (!ctx.json)
            io.stdout(
              r.writes.length
                ? ''
                : `${ctx.c.green('ok')}: no write on ${r.side} (fenced) since the switch, except by replication\n`,
            );
        }
        if (r.writes.length) setExit(1);
      } finally {
        release();
      }
    });

  withPairFlags(pair.command('teardown'))
    .description(
      'remove every subscription, publication and replication slot of the pair on both sides (schemas and rows stay)',
    )
    .addHelpText('after', examples(['switchyard pair teardown', 'switchyard pair teardown --json']))
    .action(async (o: Flags, cmd: Command) => {
      const ctx = context(cmd, io);
      const { pairTeardownCommand } = await import('../../commands/pair.js');
      const r = await pairTeardownCommand(await ctx.config(), o);
      ctx.print(r, () => printTeardown(r, ctx.c));
      if (r.remainingSlots.length) setExit(1);
    });
}
