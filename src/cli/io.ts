// Where the CLI writes, and how it colors: NO_COLOR and TTY detection decide, --no-color forces off.
import pc from 'picocolors';
import type { Colors } from '../planner/show/colors.js';

export type { Colors };

export interface CliIO {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** True when stdout is an interactive terminal (progress bars, colors). */
  readonly isTTY: boolean;
}

export const processIO: CliIO = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  isTTY: Boolean(process.stdout.isTTY),
};

export function colorsFor(io: CliIO, forceOff = false): Colors {
  const env = process.env;
  const enabled = !forceOff && !('NO_COLOR' in env && env.NO_COLOR !== '') && (io.isTTY || env.FORCE_COLOR === '1');
  return pc.createColors(enabled);
}
