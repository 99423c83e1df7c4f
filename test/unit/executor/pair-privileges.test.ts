// The privileges each pair command needs of a role that is not a superuser, and the exact statement for each.
import { describe, expect, it } from 'vitest';
import {
  initNeeds,
  statusNeeds,
  switchNeeds,
  type RoleFacts,
} from '../../../src/executor/preflight/pair-privileges.js';

const granted = (side: 'live' | 'standby', o: Partial<RoleFacts> = {}): RoleFacts => ({
  side,
  user: 'deploy',
  superuser: false,
  replication: true,
  serverVersionNum: 170002,
  database: 'app',
  createOnDatabase: true,
  createSubscription: true,
  signalBackend: true,
  readAllStats: true,
  otherOwners: [],
  unfenceable: [],
  ...o,
});
const grants = (ms: readonly { side: string; grant: string; required: boolean }[]) =>
  ms.map((m) => `${m.side}${m.required ? '' : ' (optional)'}: ${m.grant}`);

describe('pair privileges', () => {
  it('a managed deploy role with everything granted needs nothing; a superuser never does', () => {
    expect(initNeeds(granted('live'), granted('standby'), { standby: true })).toEqual([]);
    expect(switchNeeds(granted('live'), granted('standby'), { fence: 'roles' })).toEqual([]);
    expect(statusNeeds(granted('live'), granted('standby'))).toEqual([]);
    const su = (side: 'live' | 'standby') =>
      granted(side, { superuser: true, replication: false, createOnDatabase: false, createSubscription: false });
    expect(initNeeds(su('live'), su('standby'), { standby: false })).toEqual([]);
  });

  it.each([
    ['REPLICATION on live', { replication: false }, {}, ['live: ALTER ROLE deploy REPLICATION']],
    [
      'CREATE on both databases',
      { createOnDatabase: false },
      { createOnDatabase: false },
      ['live: GRANT CREATE ON DATABASE app TO deploy', 'standby: GRANT CREATE ON DATABASE app TO deploy'],
    ],
    ['tables owned by others', { otherOwners: ['Legacy Owner'] }, {}, ['live: GRANT "Legacy Owner" TO deploy']],
    ['pg_create_subscription', {}, { createSubscription: false }, ['standby: GRANT pg_create_subscription TO deploy']],
    [
      'a subscriber on 15',
      {},
      { serverVersionNum: 150008 },
      [
        'standby: ALTER ROLE deploy SUPERUSER (or upgrade the standby side to 16+ and GRANT pg_create_subscription TO deploy)',
      ],
    ],
  ] as const)('pair init: %s', (_, live, standby, expected) => {
    expect(grants(initNeeds(granted('live', live), granted('standby', standby), { standby: true }))).toEqual(expected);
  });

  it('pair init: no password for the subscription', () => {
    expect(initNeeds(granted('live'), granted('standby'), { standby: false })).toMatchObject([
      { side: 'standby', privilege: 'password for the subscription to live', required: true },
    ]);
  });

  it('cutover and cutback: sessions, signals and the role fence, required or not by the fence', () => {
    const live = granted('live', { readAllStats: false, signalBackend: false, unfenceable: ['app_writer'] });
    expect(grants(switchNeeds(live, granted('standby'), { fence: 'router' }))).toEqual([
      'live: GRANT pg_read_all_stats TO deploy',
      'live (optional): GRANT pg_signal_backend TO deploy',
      'live (optional): ALTER ROLE deploy CREATEROLE; GRANT app_writer TO deploy WITH ADMIN OPTION, INHERIT FALSE, SET FALSE',
    ]);
    expect(switchNeeds(live, granted('standby'), { fence: 'roles' }).every((m) => m.required)).toBe(true);
    expect(
      grants(switchNeeds(granted('live'), granted('standby', { replication: false }), { fence: 'router' })),
    ).toEqual(['standby: ALTER ROLE deploy REPLICATION']);
  });

  it('a separate pair.replicationUser: it must exist, replicate and read the published tables', () => {
    const live = (replicator: RoleFacts['replicator']) => granted('live', { replicator });
    expect(
      grants(initNeeds(live({ role: 'repl', exists: false, replication: false, unreadable: [] }), granted('standby'))),
    ).toEqual(["live: CREATE ROLE repl LOGIN REPLICATION PASSWORD '...'"]);
    expect(
      grants(
        initNeeds(live({ role: 'repl', exists: true, replication: false, unreadable: ['Sales'] }), granted('standby')),
      ),
    ).toEqual([
      'live: ALTER ROLE repl REPLICATION',
      'live: GRANT USAGE ON SCHEMA "Sales" TO repl; GRANT SELECT ON ALL TABLES IN SCHEMA "Sales" TO repl',
    ]);
  });

  it('pair status and watch', () => {
    expect(
      grants(statusNeeds(granted('live', { replication: false }), granted('standby', { readAllStats: false }))),
    ).toEqual(['live: ALTER ROLE deploy REPLICATION', 'standby (optional): GRANT pg_read_all_stats TO deploy']);
  });
});
