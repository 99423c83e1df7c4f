// cutover | cutback: move the live side of the pair (DESIGN.md, "Cutover"). Both refuse without --yes; both
// finish (cutover) or undo (cutback) a switch that was interrupted.
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { SwitchCommand, SwitchEvent, SwitchReport } from '../../pair/cutover.js';
import type { SwitchStep } from '../../pair/topology.js';
import type { CliIO, Colors } from '../io.js';
import { context, examples, seconds, type SetExit, wholeNumber } from './context.js';
import { METRICS_PORT_OPTION, watched } from './watch.js';

interface Flags {
  blue?: string;
  green?: string;
  replicationUser?: string;
  dryRun?: boolean;
  yes?: boolean;
  maxLag?: number;
  markerTimeout?: number;
  metricsPort?: number;
}

/** Test hook (the kill tests): SIGKILL this process right after the named protocol step is recorded. */
const KILL_AFTER = 'SWITCHYARD_FAULT_KILL_AFTER';
/** Test hook (the hang tests): SIGSTOP this process right after the named step, as a hung process would stand. */
const STOP_AFTER = 'SWITCHYARD_FAULT_STOP_AFTER';
/** Test hook (the fence deadline): sleep SWITCHYARD_FAULT_SLEEP_MS after the named step, a slow but live process. */
const SLEEP_AFTER = 'SWITCHYARD_FAULT_SLEEP_AFTER';

function reporter(io: CliIO, c: Colors, json: boolean): (e: SwitchEvent) => void {
  if (json || !io.isTTY)
    return (e) => io.stderr(`${JSON.stringify({ ts: new Date().toISOString(), event: e.kind, ...e })}\n`);
  return (e) => {
    if (e.kind === 'gate') io.stderr(`  ${e.ok ? c.green('ok') : c.red('FAIL')} ${e.check}: ${e.detail}\n`);
    else if (e.kind === 'step') io.stderr(`  ${c.green('done')} ${e.step} ${c.dim(`${e.ms} ms`)}: ${e.detail}\n`);
    else io.stderr(`  ${c.yellow('note')}: ${e.message}\n`);
  };
}

function print(r: SwitchReport, c: Colors): string {
  if (r.outcome === 'dry-run') {
    const bad = r.gate.filter((g) => !g.ok);
    return `${[
      `${r.command} would move live from ${r.from} to ${r.to} (generation ${r.generation.from} -> ${r.generation.to}), fencing by ${r.fence === 'router' ? 'the router (PAUSE)' : 'application roles'}`,
      ...r.gate.map((g) => `  ${g.ok ? c.green('ok') : c.red('FAIL')} ${g.check}: ${g.detail}`),
      bad.length
        ? c.red(`the gate would refuse (${bad.length} check(s)); nothing was changed`)
        : `the gate passes; run again with --yes`,
    ].join('\n')}\n`;
  }
  const head =
    r.outcome === 'undone'
      ? `${c.green('undone')}: the interrupted switch was rolled back; ${r.to} is live (generation ${r.generation.to})`
      : `${c.green(r.outcome === 'finished' ? 'finished' : 'switched')}: ${r.to} is live (generation ${r.generation.from} -> ${r.generation.to})${r.pauseMs !== null ? `; writes paused ${r.pauseMs} ms` : ''}`;
  const health = r.health
    ? [
        `  health: ${r.health.ok ? c.green('ok') : c.red('failed')} ${r.health.check}: ${r.health.detail} (${r.health.ms} ms)`,
      ]
    : [];
  const back = r.back
    ? [
        c.yellow(`the health check failed: switched back automatically (healthCheck.afterSwitch: cutback)`),
        print(r.back, c).trimEnd(),
      ]
    : [];
  const stayed =
    r.health && !r.health.ok && !r.back
      ? [
          c.red(
            `the health check failed and ${r.to} stays live (healthCheck.afterSwitch: stop): switchyard ${r.command === 'cutover' ? 'cutback' : 'cutover'} --yes goes back`,
          ),
        ]
      : [];
  return `${[
    head,
    ...r.steps.map((s) => `  ${s.step.padEnd(11)} ${String(s.ms).padStart(5)} ms  ${s.detail}`),
    ...health,
    ...back,
    ...stayed,
    `next: switchyard pair status`,
  ].join('\n')}\n`;
}

function register(program: Command, io: CliIO, setExit: SetExit, command: SwitchCommand): void {
  const what =
    command === 'cutover' ? 'make the standby live' : 'go back: make the standby (the previous live side) live again';
  program
    .command(command)
    .description(
      `${what}; fence, marker, sequences, reverse stream, switch, resume; ${command === 'cutover' ? 'finishes' : 'undoes'} an interrupted switch`,
    )
    .option('--blue <url>', 'URL of the blue database (default: pair.blue)')
    .option('--green <url>', 'URL of the green database (default: pair.green)')
    .option('--replication-user <role>', 'role the reverse subscription logs in as (default: pair.replicationUser)')
    .option('--dry-run', 'run the gate and say what would happen; change nothing')
    .option('--yes', 'really switch (application writes pause for the switch)')
    .option('--max-lag <bytes>', 'gate: most WAL the stream may be behind (default 16 MiB)', wholeNumber)
    .option('--marker-timeout <seconds>', 'how long the marker may take to reach the other side (default 10)', seconds)
    .option(...METRICS_PORT_OPTION)
    .addHelpText(
      'after',
      examples([
        `switchyard ${command} --dry-run          # the gate, and what would move`,
        `switchyard ${command} --yes`,
        `switchyard ${command} --yes --json > ${command}.json`,
        '',
        command === 'cutover'
          ? 'Interrupted (killed, lost connection)? Run switchyard cutover --yes again to finish, or switchyard cutback --yes to undo.'
          : 'Interrupted cutover? switchyard cutback --yes undoes it while the topology has not moved; after that it switches back.',
        'If switchyard dies inside the fence, or hangs there past pair.fenceTimeoutMs (default 5000), a guardian process',
        'undoes a switch that had not committed (or lets writes flow on the new side of one that had) by itself.',
      ]),
    )
    .action(async (o: Flags, cmd: Command) => {
      const ctx = context(cmd, io);
      if (!o.yes && !o.dryRun)
        throw new UsageError(
          `${command} moves application traffic and pauses writes for a moment: run it with --yes, or with --dry-run to see the gate first`,
        );
      const killAfter = process.env[KILL_AFTER] as SwitchStep | undefined;
      const stopAfter = process.env[STOP_AFTER] as SwitchStep | undefined;
      const sleepAfter = process.env[SLEEP_AFTER] as SwitchStep | undefined;
      const { runSwitch } = await import('../../pair/cutover.js');
      const config = await ctx.config();
      // The watcher (alerts:, --metrics-port) watches both sides while the switch runs; not for a dry run.
      const run = () =>
        runSwitch(command, config, {
          ...(o.blue ? { blue: o.blue } : {}),
          ...(o.green ? { green: o.green } : {}),
          ...(o.replicationUser ? { replicationUser: o.replicationUser } : {}),
          ...(o.dryRun ? { dryRun: true } : {}),
          ...(o.maxLag !== undefined ? { maxLagBytes: o.maxLag } : {}),
          ...(o.markerTimeout !== undefined ? { markerTimeoutMs: o.markerTimeout * 1000 } : {}),
          onEvent: reporter(io, ctx.c, ctx.json),
          ...(killAfter || stopAfter || sleepAfter
            ? {
                afterStep: async (step: SwitchStep) => {
                  if (step === killAfter) process.kill(process.pid, 'SIGKILL');
                  if (step === stopAfter) process.kill(process.pid, 'SIGSTOP');
                  if (step === sleepAfter)
                    await new Promise((r) => setTimeout(r, Number(process.env.SWITCHYARD_FAULT_SLEEP_MS ?? 10_000)));
                },
              }
            : {}),
        });
      const r = o.dryRun
        ? await run()
        : await watched(io, ctx.json, config, { metricsPort: o.metricsPort }, () => run());
      ctx.print(r, () => print(r, ctx.c));
      if ((r.outcome === 'dry-run' && r.gate.some((g) => !g.ok)) || (r.health && !r.health.ok)) setExit(1);
    });
}

export function registerCutover(program: Command, io: CliIO, setExit: SetExit): void {
  register(program, io, setExit, 'cutover');
  register(program, io, setExit, 'cutback');
}
