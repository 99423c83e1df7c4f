// A problem before it has a file position: the path it is about and whether it points at the key or the value.
import type { Path } from './zod-walk.js';

export interface Finding {
  readonly path: Path;
  /** Point at the key (`email:`) or at its value (`{ type: txt }`). */
  readonly at: 'key' | 'value';
  readonly message: string;
  readonly fix?: string;
  /** A source offset that overrides `path` for the position (YAML syntax errors). */
  readonly offset?: number;
}

export type Report = (f: Finding) => void;

export function finding(path: Path, at: 'key' | 'value', message: string, fix?: string): Finding {
  return fix === undefined ? { path, at, message } : { path, at, message, fix };
}
