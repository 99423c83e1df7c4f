// Connection services (pg_service.conf), read the way libpq reads them: `service=name` or PGSERVICE picks a
// [name] section of PGSERVICEFILE (default ~/.pg_service.conf), else of PGSYSCONFDIR/pg_service.conf; its
// `key=value` lines fill in what the connection string leaves unset.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { Conninfo } from './conninfo.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The files libpq searches, in order: the user's, then the system's. */
export function serviceFiles(env: Env = process.env): string[] {
  const user = env.PGSERVICEFILE ?? join(env.HOME ?? homedir(), '.pg_service.conf');
  return env.PGSYSCONFDIR ? [user, join(env.PGSYSCONFDIR, 'pg_service.conf')] : [user];
}

/** The keywords of service `name`; a service no file defines is an error, as in libpq. */
export function readService(name: string, env: Env = process.env): Conninfo {
  const files = serviceFiles(env);
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      // libpq: a missing file is skipped, an unreadable one is an error (only PGSERVICEFILE must exist).
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' && !(file === files[0] && env.PGSERVICEFILE)) continue;
      throw new UsageError(`cannot read the service file ${file}: ${(e as Error).message}`, { cause: e });
    }
    const found = serviceSection(text, name, file);
    if (found) return found;
  }
  throw new UsageError(`definition of service "${name}" not found (looked in ${files.join(', ')})`);
}

/** The section `[name]` of one pg_service.conf text, or undefined when the file has none. */
export function serviceSection(text: string, name: string, file: string): Conninfo | undefined {
  let inside = false;
  let found: Record<string, string> | undefined;
  for (const [n, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('[')) {
      if (found) break;
      inside = line === `[${name}]`;
      if (inside) found = {};
      continue;
    }
    if (!inside || !found) continue;
    const eq = line.indexOf('=');
    // Values are taken as they stand: libpq does no quoting or escaping in this file.
    if (eq < 1) throw new UsageError(`syntax error in service file ${file}, line ${n + 1}`);
    const key = line.slice(0, eq).trim();
    if (key === 'service')
      throw new UsageError(`nested service specifications not supported in service file ${file}, line ${n + 1}`);
    found[key] = line.slice(eq + 1).trim();
  }
  return found;
}
