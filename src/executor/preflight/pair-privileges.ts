// What each pair command needs of the role switchyard connects as, side by side, with the statement that gives
// each missing privilege. On RDS, Cloud SQL or Azure that role is no superuser: it has REPLICATION, owns the
// tables, and on 16+ may be granted pg_create_subscription, pg_signal_backend and pg_read_all_stats. Without
// pg_read_all_stats the gate's session checks would see only the role's own sessions and pass: a privilege
// missing there is a refusal, never a silent pass.
import { ident } from '../../db/quote.js';
import { fail, guarded, pass, warn, type Check, type PreflightPair, type Queryable } from './types.js';

type Side = 'live' | 'standby';

/** The role switchyard connects as on one side, and what it may do there. */
export interface RoleFacts {
  readonly side: Side;
  readonly user: string;
  readonly superuser: boolean;
  readonly replication: boolean;
  readonly serverVersionNum: number;
  readonly database: string;
  readonly createOnDatabase: boolean;
  readonly createSubscription: boolean;
  readonly signalBackend: boolean;
  readonly readAllStats: boolean;
  /** Owners of application tables whose ownership the role does not hold (it cannot publish them). */
  readonly otherOwners: readonly string[];
  /** Application roles the role may not make read-only (the fence without a pooler). */
  readonly unfenceable: readonly string[];
  /** `pair.replicationUser` when the subscription logs in as another role than this one: what it lacks here. */
  readonly replicator?: Replicator;
}

/** The role a subscription logs in to this side as, when it is not the connected role. */
export interface Replicator {
  readonly role: string;
  readonly exists: boolean;
  readonly replication: boolean;
  /** Application schemas with tables it may not read (the initial copy reads them with COPY). */
  readonly unreadable: readonly string[];
}

/** One privilege a command needs and the role lacks, with the statement that gives it. */
export interface MissingPrivilege {
  readonly side: Side;
  /** Short name: `REPLICATION`, `pg_create_subscription`, `CREATE on database`, ... */
  readonly privilege: string;
  readonly why: string;
  /** The exact statement to run (as a superuser or the database owner) on that side, or what to do. */
  readonly grant: string;
  /** Without it the command fails (false: it works, but something it does is left undone, and said so). */
  readonly required: boolean;
}

/** Reads what the connected role may do on `db`, for the application tables of `schemas`. */
export async function readRoleFacts(
  db: Queryable,
  side: Side,
  schemas: readonly string[],
  replicationUser?: string,
): Promise<RoleFacts> {
  const {
    rows: [r],
  } = await db.query<Omit<RoleFacts, 'side' | 'otherOwners' | 'unfenceable'> & { num: number }>(
    `SELECT current_user::text AS "user", r.rolsuper AS superuser, r.rolreplication AS replication,
            current_setting('server_version_num')::int AS num, current_database()::text AS database,
            has_database_privilege(current_database(), 'CREATE') AS "createOnDatabase",
            coalesce(pg_has_role(current_user, to_regrole('pg_create_subscription'), 'USAGE'), false) AS "createSubscription",
            pg_has_role(current_user, 'pg_signal_backend', 'USAGE') AS "signalBackend",
            pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') AS "readAllStats"
       FROM pg_roles r WHERE r.rolname = current_user`,
  );
  const { rows: owners } = await db.query<{ owner: string }>(
    `SELECT DISTINCT pg_get_userbyid(c.relowner)::text AS owner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p') AND NOT pg_has_role(current_user, c.relowner, 'USAGE') ORDER BY 1`,
    [schemas],
  );
  // The roles fence.ts makes read-only: login roles that are not superuser, replication or subscription owners.
  const { rows: unfenceable } = await db.query<{ role: string }>(
    `SELECT a.rolname::text AS role FROM pg_roles a
      WHERE a.rolcanlogin AND NOT a.rolsuper AND NOT a.rolreplication AND a.rolname <> current_user AND a.rolname NOT LIKE 'pg\\_%'
        AND a.oid NOT IN (SELECT subowner FROM pg_subscription) AND has_database_privilege(a.oid, current_database(), 'CONNECT')
        AND NOT (SELECT rolsuper OR (rolcreaterole AND (current_setting('server_version_num')::int < 160000
                   OR pg_has_role(current_user, a.oid, 'MEMBER WITH ADMIN OPTION'))) FROM pg_roles WHERE rolname = current_user)
      ORDER BY 1`,
  );
  if (!r) throw new Error('the connected role is not in pg_roles');
  const { num, ...rest } = r;
  return {
    ...rest,
    side,
    serverVersionNum: num,
    otherOwners: owners.map((o) => o.owner),
    unfenceable: unfenceable.map((u) => u.role),
    ...(replicationUser && replicationUser !== r.user
      ? { replicator: await readReplicator(db, replicationUser, schemas) }
      : {}),
  };
}

async function readReplicator(db: Queryable, role: string, schemas: readonly string[]): Promise<Replicator> {
  const {
    rows: [r],
  } = await db.query<{ replication: boolean }>(
    `SELECT rolsuper OR rolreplication AS replication FROM pg_roles WHERE rolname = $1`,
    [role],
  );
  if (!r) return { role, exists: false, replication: false, unreadable: [] };
  const { rows } = await db.query<{ schema: string }>(
    `SELECT DISTINCT n.nspname::text AS schema FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p')
        AND NOT (has_schema_privilege($2::name, n.oid, 'USAGE') AND has_table_privilege($2::name, c.oid, 'SELECT')) ORDER BY 1`,
    [schemas, role],
  );
  return { role, exists: true, replication: r.replication, unreadable: rows.map((x) => x.schema) };
}

/** A separate replication role logs in to a publishing side: it must exist, replicate and read the tables. */
function replicatorNeeds(f: RoleFacts): MissingPrivilege[] {
  const x = f.replicator;
  if (!x) return [];
  const r = ident(x.role);
  if (!x.exists)
    return [
      need(
        f,
        `role ${x.role}`,
        'pair.replicationUser: the subscription logs in as it',
        `CREATE ROLE ${r} LOGIN REPLICATION PASSWORD '...'`,
      ),
    ];
  return [
    ...(x.replication
      ? []
      : [need(f, `REPLICATION for ${x.role}`, 'the subscription logs in as it', `ALTER ROLE ${r} REPLICATION`)]),
    ...x.unreadable.map((schema) =>
      need(
        f,
        `SELECT for ${x.role} on ${schema}'s tables`,
        'the initial copy reads them as the subscription role',
        `GRANT USAGE ON SCHEMA ${ident(schema)} TO ${r}; GRANT SELECT ON ALL TABLES IN SCHEMA ${ident(schema)} TO ${r}`,
      ),
    ),
  ];
}

const need = (f: RoleFacts, privilege: string, why: string, grant: string, required = true): MissingPrivilege => ({
  side: f.side,
  privilege,
  why,
  grant,
  required,
});

/** What every publishing side needs: a slot (REPLICATION), a publication (CREATE, owned tables). */
function publishing(f: RoleFacts, why: string): MissingPrivilege[] {
  const u = ident(f.user);
  return [
    ...(f.replication ? [] : [need(f, 'REPLICATION', `${why}: replication slots`, `ALTER ROLE ${u} REPLICATION`)]),
    ...(f.createOnDatabase
      ? []
      : [
          need(
            f,
            'CREATE on database',
            `${why}: the publication, the subscription and the ledger schema`,
            `GRANT CREATE ON DATABASE ${ident(f.database)} TO ${u}`,
          ),
        ]),
    ...f.otherOwners.map((owner) =>
      need(
        f,
        `ownership of ${owner}'s tables`,
        `${why}: only a table's owner may publish it`,
        `GRANT ${ident(owner)} TO ${u}`,
      ),
    ),
  ];
}

/** What a subscribing side needs: pg_create_subscription (16+; superuser before), and a password to the other side. */
function subscribing(f: RoleFacts, password: boolean | undefined, other: string): MissingPrivilege[] {
  const u = ident(f.user);
  const out: MissingPrivilege[] = [];
  if (f.serverVersionNum < 160000)
    out.push(
      need(
        f,
        'superuser',
        `PostgreSQL ${Math.floor(f.serverVersionNum / 10000)} lets only superusers create subscriptions (pg_create_subscription is 16+)`,
        `ALTER ROLE ${u} SUPERUSER (or upgrade the ${f.side} side to 16+ and GRANT pg_create_subscription TO ${u})`,
      ),
    );
  else {
    if (!f.createSubscription)
      out.push(need(f, 'pg_create_subscription', 'the subscription', `GRANT pg_create_subscription TO ${u}`));
    if (password === false)
      out.push(
        need(
          f,
          `password for the subscription to ${other}`,
          `PostgreSQL 16+ requires one in a non-superuser's subscription connection`,
          `put the password in the ${other} side's URL, or in PGPASSWORD, ~/.pgpass or the service file where switchyard runs`,
        ),
      );
  }
  return out;
}

/** Without pg_read_all_stats other roles' sessions show no transaction: the gate could not see them. */
function sessions(f: RoleFacts, why: string): MissingPrivilege[] {
  return f.readAllStats ? [] : [need(f, 'pg_read_all_stats', why, `GRANT pg_read_all_stats TO ${ident(f.user)}`)];
}

export interface SubscriptionPasswords {
  /** The standby's subscription to live carries a password (undefined: not known). */
  readonly standby?: boolean;
  /** The live side's subscription to the standby (the reverse stream after a cutover) carries one. */
  readonly live?: boolean;
}

/** `pair init`: publish on live, subscribe on the standby. */
export function initNeeds(live: RoleFacts, standby: RoleFacts, p: SubscriptionPasswords = {}): MissingPrivilege[] {
  return [
    ...(live.superuser ? [] : publishing(live, 'pair init publishes live')),
    ...replicatorNeeds(live),
    ...(standby.superuser
      ? []
      : [
          ...(standby.createOnDatabase
            ? []
            : [
                need(
                  standby,
                  'CREATE on database',
                  'pair init builds the schemas, the ledger and the subscription on the standby',
                  `GRANT CREATE ON DATABASE ${ident(standby.database)} TO ${ident(standby.user)}`,
                ),
              ]),
          ...subscribing(standby, p.standby, 'live'),
        ]),
  ];
}

/** `cutover` and `cutback`: each side publishes, subscribes, is fenced and is watched in turn. */
export function switchNeeds(
  live: RoleFacts,
  standby: RoleFacts,
  o: { fence: 'router' | 'roles'; passwords?: SubscriptionPasswords },
): MissingPrivilege[] {
  const side = (f: RoleFacts, password: boolean | undefined, other: string): MissingPrivilege[] => {
    if (f.superuser) return replicatorNeeds(f);
    return [
      ...publishing(f, 'the reverse stream and the split-brain watch'),
      ...replicatorNeeds(f),
      ...subscribing(f, password, other),
      ...sessions(f, "the gate's long-transaction and standby-writer checks see every role's sessions"),
      ...(f.signalBackend
        ? []
        : [
            need(
              f,
              'pg_signal_backend',
              "the fence ends the application's sessions",
              `GRANT pg_signal_backend TO ${ident(f.user)}`,
              o.fence === 'roles',
            ),
          ]),
      ...f.unfenceable.map((role) =>
        need(
          f,
          `ADMIN OPTION on ${role}`,
          o.fence === 'roles'
            ? `the fence makes ${role} read-only (CREATEROLE and, on 16+, ADMIN OPTION)`
            : `after the switch the old side is fenced against ${role}'s direct connections`,
          `ALTER ROLE ${ident(f.user)} CREATEROLE; GRANT ${ident(role)} TO ${ident(f.user)} WITH ADMIN OPTION, INHERIT FALSE, SET FALSE`,
          o.fence === 'roles',
        ),
      ),
    ];
  };
  return [...side(live, o.passwords?.live, 'the standby'), ...side(standby, o.passwords?.standby, 'live')];
}

/** `pair status` and `pair watch`: reading the streams, and streaming the watch slot (a replication connection). */
export function statusNeeds(live: RoleFacts, standby: RoleFacts): MissingPrivilege[] {
  return [live, standby].flatMap((f) =>
    f.superuser
      ? []
      : [
          ...(f.replication
            ? []
            : [need(f, 'REPLICATION', 'pair watch streams the watch slot', `ALTER ROLE ${ident(f.user)} REPLICATION`)]),
          ...sessions(
            f,
            "pair status reads the stream's lag when the subscription logs in as another role (pair.replicationUser)",
          ).map((m) => ({ ...m, required: false })),
        ],
  );
}

/** One line per missing privilege: `live (deploy): pg_read_all_stats (why): GRANT ...`. */
export function describeMissing(missing: readonly MissingPrivilege[], users: Readonly<Record<Side, string>>): string {
  return missing.map((m) => `${m.side} (${users[m.side]}): no ${m.privilege} (${m.why})`).join('; ');
}

/** The statements that give what is missing, each with its side. */
export function grantsFor(missing: readonly MissingPrivilege[]): string {
  return missing.map((m) => `on ${m.side}: ${m.grant}`).join('; ');
}

function privilegeCheck(
  id: string,
  title: string,
  command: string,
  missing: readonly MissingPrivilege[],
  facts: readonly [RoleFacts, RoleFacts],
): Check {
  const users = { live: facts[0].user, standby: facts[1].user };
  if (missing.length === 0) {
    const who = facts.map((f) => `${f.user} on ${f.side}${f.superuser ? ' (superuser)' : ''}`).join(', ');
    return pass(id, title, `${who}: every privilege ${command} needs`);
  }
  const make = missing.some((m) => m.required) ? fail : warn;
  return make(id, title, describeMissing(missing, users), grantsFor(missing));
}

export interface PairPrivilegeOptions {
  /** How cutover fences writes: through the router (PgBouncer) or by making application roles read-only. */
  readonly fence?: 'router' | 'roles';
  readonly passwords?: SubscriptionPasswords;
}

/** The connected role's facts on both sides. */
export async function pairRoleFacts(pair: PreflightPair, schemas: readonly string[]): Promise<[RoleFacts, RoleFacts]> {
  return [
    await readRoleFacts(pair.live, 'live', schemas, pair.replicationUser),
    await readRoleFacts(pair.standby, 'standby', schemas, pair.replicationUser),
  ];
}

export function initPrivilegesCheck(f: readonly [RoleFacts, RoleFacts], passwords?: SubscriptionPasswords): Check {
  return privilegeCheck(
    'pair-privileges-init',
    'privileges for pair init',
    'pair init',
    initNeeds(f[0], f[1], passwords),
    f,
  );
}

export function switchPrivilegesCheck(
  f: readonly [RoleFacts, RoleFacts],
  fence: 'router' | 'roles',
  passwords?: SubscriptionPasswords,
): Check {
  return privilegeCheck(
    'pair-privileges-switch',
    'privileges for cutover and cutback',
    `cutover and cutback (fence: ${fence === 'router' ? 'router' : 'application roles'})`,
    switchNeeds(f[0], f[1], { fence, ...(passwords ? { passwords } : {}) }),
    f,
  );
}

export function statusPrivilegesCheck(f: readonly [RoleFacts, RoleFacts]): Check {
  return privilegeCheck(
    'pair-privileges-status',
    'privileges for pair status and pair watch',
    'pair status and pair watch',
    statusNeeds(f[0], f[1]),
    f,
  );
}

/** One check per pair command: pair init, cutover and cutback, pair status and watch. */
export async function pairPrivilegeChecks(
  pair: PreflightPair,
  schemas: readonly string[],
  o: PairPrivilegeOptions = {},
): Promise<Check[]> {
  let facts: [RoleFacts, RoleFacts] | undefined;
  const read = async () => (facts ??= await pairRoleFacts(pair, schemas));
  return [
    await guarded('pair-privileges-init', 'privileges for pair init', async () =>
      initPrivilegesCheck(await read(), o.passwords),
    ),
    await guarded('pair-privileges-switch', 'privileges for cutover and cutback', async () =>
      switchPrivilegesCheck(await read(), o.fence ?? 'roles', o.passwords),
    ),
    await guarded('pair-privileges-status', 'privileges for pair status and pair watch', async () =>
      statusPrivilegesCheck(await read()),
    ),
  ];
}
