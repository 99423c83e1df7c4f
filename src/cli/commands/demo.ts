import type { Command } from 'commander';
import type { CliIO } from '../io.js';
import { onInterrupt } from '../interrupt.js';
import { duration } from '../../planner/show/summary.js';
import { context, examples, type SetExit, wholeNumber } from './context.js';

export function registerDemo(program: Command, io: CliIO, setExit: SetExit): void {
  program
    .command('demo')
    .description(
      'the whole story on throwaway embedded PostgreSQL servers (one database, then a blue/green pair): nothing to set up, nothing left behind',
    )
    .option('--pg-version <major>', 'PostgreSQL major version: 17 (default), 18, or 15 (system binaries)', wholeNumber)
    .option('--no-pair', 'skip the blue/green half (pair, cutover, cutback)')
    .addHelpText(
      'after',
      examples([
        'npx switchyard demo',
        'npx switchyard demo --pg-version 18',
        'npx switchyard demo --no-pair      # the single-database story only',
        '',
        'Ctrl-C at any moment stops and removes every server, PgBouncer and folder the demo started (exit 130).',
      ]),
    )
    .action(async (o: { pgVersion?: number; pair?: boolean }, cmd: Command) => {
      const ctx = context(cmd, io);
      // Ctrl-C is answered by cli/interrupt.ts: every server, PgBouncer and folder the demo started is stopped
      // and removed (db/cleanup.ts owns them from the moment they exist), and the exit status is 130.
      const abort = new AbortController();
      const forget = onInterrupt(() => abort.abort());
      try {
        const { demo } = await import('../../commands/demo.js');
        const r = await demo(
          {
            step: (t) => !ctx.json && io.stdout(`${ctx.c.cyan('==>')} ${ctx.c.bold(t)}\n`),
            detail: (lines) => !ctx.json && io.stdout(lines.map((l) => `    ${l}\n`).join('')),
          },
          {
            ...(o.pgVersion ? { major: o.pgVersion } : {}),
            ...(o.pair === false ? { noPair: true } : {}),
            signal: abort.signal,
          },
        );
        ctx.print(
          r,
          () =>
            `${ctx.c.green('demo finished')} in ${duration(r.millis)}: ${r.diff.changes.length} changes planned as ${r.plan.steps} steps, ` +
            `rehearsed, applied, rolled back and applied again; ${r.reachedTarget ? 'the database matches the declared schema' : ctx.c.red('the database does NOT match the declared schema')}.\n` +
            (r.pair
              ? `blue/green: ${r.pair.switches.map((s) => `${s.command} ${s.pauseMs} ms`).join(', ')} of write pause; ${r.pair.acknowledged} writes acknowledged, ${r.pair.lost === 0 ? ctx.c.green('0 lost') : ctx.c.red(`${r.pair.lost} LOST`)}, ${r.pair.failed} failed; ${r.pair.sidesEqual ? 'both sides equal' : ctx.c.red('the sides differ')}.\n`
              : ''),
        );
        if (!r.reachedTarget || (r.pair && (r.pair.lost > 0 || !r.pair.sidesEqual))) setExit(1);
      } finally {
        forget();
      }
    });
}
