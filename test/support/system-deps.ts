// What the test suite needs beyond npm: PgBouncer (Debian package `pgbouncer`) for the router and cutover
// tests. On a machine without it, `npm test` installs it when it can (root with apt-get, as on these machines;
// packaged services are kept from starting) and otherwise stops at once with the command to run.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';

export const PGBOUNCER = '/usr/sbin/pgbouncer';

export function ensureSystemPackages(log: (line: string) => void = (l) => console.log(l)): void {
  if (existsSync(PGBOUNCER)) return;
  const apt = existsSync('/usr/bin/apt-get');
  if (userInfo().uid !== 0 || !apt) {
    throw new Error(
      `the tests need PgBouncer (${PGBOUNCER}), which is not installed: run \`sudo apt-get install pgbouncer\` (Debian/Ubuntu) and npm test again`,
    );
  }
  log(
    'npm test: PgBouncer is not installed; installing the Debian package pgbouncer (apt-get update + install, about 30 s)',
  );
  // A packaged service must not start: the tests start and stop their own PgBouncer.
  const policy = '/usr/sbin/policy-rc.d';
  const ownPolicy = !existsSync(policy);
  if (ownPolicy) writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', 'pgbouncer'], { stdio: 'inherit', env });
  } finally {
    if (ownPolicy) rmSync(policy, { force: true });
  }
  if (!existsSync(PGBOUNCER)) throw new Error(`apt-get installed pgbouncer, but ${PGBOUNCER} is still missing`);
}
