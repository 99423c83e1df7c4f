// Ctrl-C (SIGINT), SIGTERM and SIGHUP during any command. The first one:
//   - the command's output stops (a progress bar is stopped first, so nothing is drawn over what follows);
//   - the terminal is restored: the cursor shown again and line wrapping back on (a progress bar hides both);
//   - one line: "interrupted: run the same command again to resume" (with --json also a JSON document on stdout,
//     {"ok":false,"error":{"code":"INTERRUPTED",...}});
//   - whatever the command started is stopped and removed (db/cleanup.ts: the demo's and rehearsal's servers,
//     PgBouncer, temporary folders), errors of the work cut short are not reported, and the exit status is 130.
// A second one while that clean-up runs says what is still being removed and that a third forces it; the third
// kills those processes at once (SIGKILL, children included) and removes their folders synchronously, so that
// even a forced exit leaves nothing behind. A clean-up still running after 15 s is forced the same way.
// A command for which Ctrl-C is the normal way to stop (`pair watch`) claims the first signal instead.
import { cleanUpEverything, forceCleanUp, ownedSummary, signalsHandled, sweepOwnedFolders } from '../db/cleanup.js';

export const INTERRUPTED_LINE = 'interrupted: run the same command again to resume';

/** Shows the cursor (ESC[?25h) and turns line wrapping back on (ESC[?7h): what cli-progress's bars hide. */
export const RESTORE_TERMINAL = '\x1b[?25h\x1b[?7h';

/** A stream the handler writes to: only a terminal gets the escape sequences. */
export interface TerminalStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export interface InterruptDeps {
  readonly stdout: TerminalStream;
  readonly stderr: TerminalStream;
  /** Silences the command's own output from now on. */
  readonly mute: () => void;
  readonly cleanUp: () => Promise<void>;
  readonly force: () => void;
  /** Removes again, synchronously, every folder the command owned that the cut-short work wrote into. */
  readonly sweep?: () => void;
  /** What is still being cleaned up (for the second signal's message). */
  readonly pending: () => readonly string[];
  readonly exit: (code: number) => void;
  /** With --json: the interruption is also one JSON document on stdout, as every other error is. */
  readonly json?: () => boolean;
  /** Force the clean-up after this long (default 15 s). */
  readonly forceAfterMs?: number;
}

const EXIT_INTERRUPTED = 130;

let claimant: (() => void) | undefined;
const beforeMessage = new Set<() => void>();
let count = 0;

/** A command that stops on Ctrl-C by itself (a watch) takes the first signal; returns the release. */
export function claimInterrupt(onSignal: () => void): () => void {
  claimant = onSignal;
  return () => {
    if (claimant === onSignal) claimant = undefined;
  };
}

/** Runs before the interrupted line is printed (a progress bar stops itself); returns the removal. */
export function onInterrupt(fn: () => void): () => void {
  beforeMessage.add(fn);
  return () => beforeMessage.delete(fn);
}

/** True once the process is being interrupted. */
export function isInterrupted(): boolean {
  return count > 0;
}

/** Writes the escape sequences that undo a progress bar's, to a terminal only. */
export function restoreTerminal(stream: TerminalStream): void {
  if (!stream.isTTY) return;
  try {
    stream.write(RESTORE_TERMINAL);
  } catch {
    // The terminal is gone (SIGHUP): nothing to restore.
  }
}

/** The signal handler, with everything it touches passed in (tests drive it with fake streams). */
export function interruptHandler(d: InterruptDeps): (signal?: NodeJS.Signals) => void {
  let seen = 0;
  let finished = false;
  const say = (text: string) => {
    try {
      d.stderr.write(text);
    } catch {
      // A closed terminal or pipe: the exit status still tells.
    }
  };
  const done = () => {
    if (finished) return;
    finished = true;
    // The interrupted work may have written into a removed folder meanwhile: swept now, and once more after
    // a moment for a write that was already on its way, then the exit (no more of that work runs after it).
    d.sweep?.();
    if (!d.sweep) return d.exit(EXIT_INTERRUPTED);
    setTimeout(() => {
      d.sweep?.();
      d.exit(EXIT_INTERRUPTED);
    }, 50);
  };
  return () => {
    seen++;
    if (seen === 1 && claimant) {
      const c = claimant;
      claimant = undefined;
      seen = 0;
      c();
      return;
    }
    if (seen === 1) {
      count++;
      for (const fn of beforeMessage) {
        try {
          fn();
        } catch {
          // Restoring the terminal below matters more.
        }
      }
      d.mute();
      restoreTerminal(d.stdout);
      restoreTerminal(d.stderr);
      // On a terminal the ^C echo is on the current line: the message starts on a line of its own.
      say(`${d.stderr.isTTY ? '\n' : ''}${INTERRUPTED_LINE}\n`);
      if (d.json?.()) {
        try {
          d.stdout.write(
            `${JSON.stringify({ ok: false, error: { code: 'INTERRUPTED', message: INTERRUPTED_LINE } })}\n`,
          );
        } catch {
          // A closed pipe: the exit status still tells.
        }
      }
      const timer = setTimeout(() => {
        d.force();
        done();
      }, d.forceAfterMs ?? 15_000);
      timer.unref?.();
      d.cleanUp().then(
        () => {
          clearTimeout(timer);
          done();
        },
        () => {
          clearTimeout(timer);
          d.force();
          done();
        },
      );
      return;
    }
    if (seen === 2) {
      const left = d.pending();
      if (left.length) {
        say(`cleaning up (${left.join(', ')}): press Ctrl-C again to kill and remove them at once\n`);
        return;
      }
    }
    d.force();
    done();
  };
}

let installed = false;
let silenced = false;
let jsonOutput = false;

/** The command runs with --json (the CLI says so before parsing). */
export function interruptAsJson(on: boolean): void {
  jsonOutput = on;
}

/** True once the command's output is silenced (the CLI's stdout and stderr writers check it). */
export function muted(): boolean {
  return silenced;
}

/** Installs the handler for SIGINT, SIGTERM and SIGHUP on this process (the CLI's entry point does, once). */
export function installInterruptHandler(): void {
  if (installed) return;
  installed = true;
  signalsHandled(true);
  // The handler writes through the streams' own write; everything else (a library's console.warn, a Node
  // warning, a late progress line) is silenced from the first signal on, so that the line stays the only one.
  const writer = (s: NodeJS.WriteStream): TerminalStream => {
    const write = s.write.bind(s) as (text: string) => boolean;
    return {
      get isTTY() {
        return s.isTTY;
      },
      write,
    };
  };
  const handler = interruptHandler({
    stdout: writer(process.stdout),
    stderr: writer(process.stderr),
    mute: () => {
      silenced = true;
      for (const s of [process.stdout, process.stderr]) s.write = (() => true) as typeof s.write;
      // What fails while the clean-up pulls servers away (a connection's 'error' event, a rejected query) is
      // the interrupted work, not news.
      process.on('uncaughtException', () => undefined);
      process.on('unhandledRejection', () => undefined);
      process.exitCode = EXIT_INTERRUPTED;
    },
    cleanUp: cleanUpEverything,
    force: forceCleanUp,
    sweep: sweepOwnedFolders,
    pending: ownedSummary,
    exit: (code) => process.exit(code),
    json: () => jsonOutput,
  });
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, handler);
}
