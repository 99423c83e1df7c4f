// What every command needs: the global options, the configuration, colors, and a JSON or text printer.
import { type Command, InvalidArgumentError } from 'commander';
import type { SwitchyardConfig } from '../../config/config.js';
import { type NotModeled, notModeledNotice } from '../../introspect/inventory.js';
import { colorsFor, type CliIO, type Colors } from '../io.js';

// Declared here, below main.ts and the command files, so that neither imports the other (no cycle).
export interface GlobalOptions {
  readonly config?: string;
  readonly json: boolean;
  readonly verbose: boolean;
  readonly color: boolean;
}

/** Sets the process exit code without throwing (a finding, not a failure). */
export type SetExit = (code: number) => void;

export interface Context {
  readonly io: CliIO;
  readonly c: Colors;
  readonly json: boolean;
  readonly verbose: boolean;
  config(): Promise<SwitchyardConfig>;
  /** Prints `data` as one JSON document with --json, otherwise calls `text`. */
  print(data: unknown, text: () => string): void;
}

export function context(cmd: Command, io: CliIO): Context {
  const g = cmd.optsWithGlobals<GlobalOptions>();
  const c = colorsFor(io, g.color === false);
  return {
    io,
    c,
    json: g.json,
    verbose: g.verbose,
    // Loaded when a command reads it (yaml and zod are heavy): `--help` and `--version` never do.
    config: async () => (await import('../../config/config.js')).loadConfig(g.config),
    print(data, text) {
      // Indented for a person at a terminal; compact for the programs --json is for.
      io.stdout(g.json ? `${JSON.stringify(data, null, io.isTTY ? 2 : undefined)}\n` : text());
    },
  };
}

/** A whole-number option (`--release 2`): anything else is a usage error naming the option (exit 2). */
export function wholeNumber(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n)) throw new InvalidArgumentError(`expected a whole number, got "${v}"`);
  return n;
}

/** A number of seconds (`--timeout 2.5`): a finite number, not negative; anything else is a usage error. */
export function seconds(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError(`expected a number of seconds, got "${v}"`);
  return n;
}

/** Repeatable, comma-separated values (`--allow-hazard A,B --allow-hazard C`). */
export function collect(v: string, prev: readonly string[] = []): string[] {
  return [
    ...prev,
    ...v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

/** `--include a,b` style lists. */
export function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function examples(lines: readonly string[]): string {
  return `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
}

/**
 * Names on stderr what the database holds outside the model (the first ten, all with --verbose); with --json
 * the list is in the printed document instead.
 */
export function noticeNotModeled(ctx: Context, items: readonly NotModeled[]): void {
  if (ctx.json || items.length === 0) return;
  ctx.io.stderr(ctx.c.yellow(notModeledNotice(items, ctx.verbose ? Number.POSITIVE_INFINITY : 10)));
}

export const STRICT_OPTION = [
  '--strict',
  'exit 1 when the database holds objects switchyard does not model (default: `strict:` in switchyard.yaml)',
] as const;
