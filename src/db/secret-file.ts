// A temporary file holding a password (the demo's PgBouncer auth_file, initdb's --pwfile). It is readable by its
// owner only from the first byte: created with O_EXCL and mode 0600 in the one open() call, never chmod-ed after
// (which leaves a window where it is readable, and would follow a symlink planted at the path). It is removed on
// every way out: remove(), a normal or process.exit() end ('exit'), and SIGINT, SIGTERM or SIGHUP, the demo's
// Ctrl-C included, at the moment the signal arrives, whatever the rest of the shutdown then does.
import { rmSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';

export interface SecretFile {
  readonly path: string;
  /** Removes the file (idempotent). */
  remove(): Promise<void>;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const live = new Set<string>();

function removeAllNow(): void {
  for (const path of live) {
    try {
      rmSync(path, { force: true });
    } catch {
      // Best effort on the way out: nothing else can be done about it here.
    }
  }
  live.clear();
  uninstall();
}

function onSignal(signal: NodeJS.Signals): void {
  // Prepended, so this runs before any once() listener has removed itself: 1 means nobody else handles the
  // signal, and the process must die of it as it would have without this listener.
  const alone = process.listenerCount(signal) === 1;
  removeAllNow();
  if (alone) process.kill(process.pid, signal);
}

let installed = false;
function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', removeAllNow);
  for (const s of SIGNALS) process.prependListener(s, onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', removeAllNow);
  for (const s of SIGNALS) process.off(s, onSignal);
}

/** Creates `path` (it must not exist) with mode 0600 holding `text`, removed on every exit path. */
export async function writeSecretFile(path: string, text: string): Promise<SecretFile> {
  const handle = await open(path, 'wx', 0o600);
  live.add(path);
  install();
  try {
    await handle.writeFile(text).finally(() => handle.close());
  } catch (e) {
    await forget(path);
    throw e;
  }
  return { path, remove: () => forget(path) };
}

async function forget(path: string): Promise<void> {
  if (!live.delete(path)) return;
  if (live.size === 0) uninstall();
  await rm(path, { force: true });
}
