// The command line: commander wiring only. Each command calls one library function, prints, and returns
// an exit code: 0 success, 1 a problem was found, 2 bad input or usage, 3 the database refused or failed.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { colorsFor, processIO, type CliIO } from './io.js';
import { reportError } from './errors.js';
import { INTERRUPTED_LINE, installInterruptHandler, interruptAsJson, isInterrupted } from './interrupt.js';

export { installInterruptHandler };
import type { GlobalOptions } from './commands/context.js';
import { registerCommands } from './commands/index.js';

/** The version in package.json (two folders up from src/cli/ and from dist/cli/ alike). */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Runs the CLI with `argv` (without node and script) and resolves to the exit code. */
export async function run(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  // The process's own CLI answers Ctrl-C (cli/interrupt.ts); a caller passing its own io keeps its signals.
  if (io === processIO) {
    installInterruptHandler();
    interruptAsJson(argv.includes('--json'));
  }
  const code = await runCommand(argv, io);
  return isInterrupted() ? 130 : code;
}

async function runCommand(argv: readonly string[], io: CliIO): Promise<number> {
  let exitCode = 0;
  // A usage mistake is found while parsing, before the global options are known: --json is looked for in argv, so
  // that scripts get one JSON document for it too (and nothing on stderr, which stays for progress).
  const json = argv.includes('--json');
  let usage: string | undefined;
  const program = new Command('switchyard')
    .description(
      'Zero-downtime PostgreSQL schema changes: declared schema -> multi-release plan with rehearsed rollbacks -> blue/green cutover and cutback.',
    )
    .version(version(), '-V, --version', 'print the version of switchyard')
    .option('-c, --config <file>', 'configuration file (default: ./switchyard.yaml when present)')
    .option('--json', 'machine-readable output', false)
    .option('--verbose', 'show stack traces and every statement', false)
    .option('--no-color', 'never color the output (NO_COLOR is honoured too)')
    .addHelpText(
      'after',
      [
        '',
        'Exit codes: 0 success, 1 a problem was found, 2 bad input or usage, 3 the database refused or failed,',
        '130 interrupted.',
        `Ctrl-C (or SIGTERM) during any command: prints "${INTERRUPTED_LINE}", restores the`,
        'terminal, stops and removes what the command started (throwaway servers, PgBouncer, temporary folders) and',
        'exits 130. A second Ctrl-C says what is still being removed; a third kills and removes it at once.',
      ].join('\n'),
    )
    .showHelpAfterError(json ? false : '(run with --help for usage and examples)')
    .exitOverride()
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      outputError: (text, write) => {
        if (!json) return write(text);
        // The first line is the error; the hint to run --help follows it.
        usage ??= text
          .trim()
          .split('\n')[0]
          ?.replace(/^error: /, '');
      },
    });
  registerCommands(program, io, (code) => (exitCode = code));
  const globals = () => program.opts<GlobalOptions>();
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here with exitCode 0; usage mistakes with 2.
      if (e.exitCode === 0) return 0;
      if (json)
        io.stdout(
          `${JSON.stringify({ ok: false, error: { code: 'USAGE', message: usage ?? e.message.replace(/^error: /, '') } })}\n`,
        );
      return 2;
    }
    const g = globals();
    return reportError(e, io, colorsFor(io, !g.color), g.verbose, g.json);
  }
  return exitCode;
}
