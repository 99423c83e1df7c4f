// One clear line (or a located list) per failure; a stack trace only with --verbose.
import { serverMessage, SwitchyardError } from '../errors.js';
import { redactText } from '../db/redact.js';
import type { CliIO, Colors } from './io.js';

export function reportError(e: unknown, io: CliIO, c: Colors, verbose: boolean, json: boolean): number {
  const known = e instanceof SwitchyardError;
  const sqlstate = (e as { code?: unknown })?.code;
  const dbFailure =
    !known &&
    ((typeof sqlstate === 'string' && /^[0-9A-Z]{5}$/.test(sqlstate)) ||
      /^E(CONN|HOST|NOTFOUND|TIMEDOUT)/.test(String(sqlstate)));
  const exitCode = known ? e.exitCode : dbFailure ? 3 : 1;
  // A server's error as the pg driver throws it keeps DETAIL and HINT apart from its message: show them.
  const message = redactText(dbFailure ? serverMessage(e) : e instanceof Error ? e.message : String(e));
  if (json) {
    const problems = known && 'problems' in e ? (e as unknown as { problems: unknown }).problems : undefined;
    io.stdout(
      `${JSON.stringify({
        ok: false,
        error: {
          code: known ? e.code : dbFailure ? 'DATABASE' : 'INTERNAL',
          message,
          ...(problems ? { problems } : {}),
          // --strict refusals carry the whole list (the message names the first few).
          ...(known && 'notModeled' in e ? { notModeled: (e as unknown as { notModeled: unknown }).notModeled } : {}),
          // A drift refusal's message may summarize them (a database that is not the plan's source).
          ...(known && 'differences' in e
            ? { differences: (e as unknown as { differences: unknown }).differences }
            : {}),
          // An UNTRACKED_DEPENDENT refusal: each dependent with the object and the step.
          ...(known && 'dependents' in e ? { dependents: (e as unknown as { dependents: unknown }).dependents } : {}),
        },
      })}\n`,
    );
  } else {
    const prefix = known || dbFailure ? 'error' : 'internal error';
    io.stderr(`${c.red(c.bold(`${prefix}:`))} ${message}\n`);
    if (!known && !dbFailure && !verbose)
      io.stderr(c.dim('run again with --verbose for the stack trace, and please report it\n'));
  }
  if (verbose && e instanceof Error && e.stack) io.stderr(`${redactText(e.stack)}\n`);
  return exitCode;
}
