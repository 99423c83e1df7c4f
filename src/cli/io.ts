// Where the CLI writes, and how it colors: NO_COLOR and TTY detection decide, --no-color forces off.
import { createInterface } from 'node:readline/promises';
import pc from 'picocolors';
import type { Colors } from '../planner/show/colors.js';
import { muted } from './interrupt.js';

export type { Colors };

export interface CliIO {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** True when stdout is an interactive terminal (progress bars, colors). */
  readonly isTTY: boolean;
  /**
   * Asks a yes/no question and resolves to the answer; absent when nobody can answer (standard input or output
   * is not a terminal), so that a command needing a confirmation refuses and names its flag instead.
   */
  readonly confirm?: (question: string) => Promise<boolean>;
}

async function ask(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  // Ctrl-C at the question reaches readline, not the process: handed on, it interrupts as anywhere else.
  rl.on('SIGINT', () => process.kill(process.pid, 'SIGINT'));
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

/** The process's streams; silent once interrupted (cli/interrupt.ts prints the one line that follows). */
export const processIO: CliIO = {
  stdout: (t) => void (muted() || process.stdout.write(t)),
  stderr: (t) => void (muted() || process.stderr.write(t)),
  isTTY: Boolean(process.stdout.isTTY),
  ...(process.stdin.isTTY && process.stdout.isTTY ? { confirm: ask } : {}),
};

export function colorsFor(io: CliIO, forceOff = false): Colors {
  const env = process.env;
  const enabled = !forceOff && !('NO_COLOR' in env && env.NO_COLOR !== '') && (io.isTTY || env.FORCE_COLOR === '1');
  return pc.createColors(enabled);
}
