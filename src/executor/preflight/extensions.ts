// The extensions the steps create or update: the server must ship them (at the pinned version), and the role
// must be allowed to create them (a superuser; for a trusted extension, CREATE on the database) or to update
// them (membership in the extension's owner). Each missing piece is named with what gives it: the package to
// install, the version the server has, the GRANT.
import { ident, literal } from '../../db/quote.js';
import { type Check, type CheckContext, fail, guarded, listed, pass } from './types.js';

const ID = 'extensions';
const TITLE = 'extensions the plan creates or updates';

/**
 * Extensions built with PostgreSQL itself (contrib): Debian and Ubuntu ship them in the server package,
 * RHEL-like systems in postgresqlNN-contrib. Anything else comes from a package of its own.
 */
const CONTRIB = new Set(
  'adminpack amcheck auth_delay auto_explain bloom btree_gin btree_gist citext cube dblink dict_int dict_xsyn earthdistance file_fdw fuzzystrmatch hstore intagg intarray isn lo ltree old_snapshot pageinspect passwordcheck pg_buffercache pg_freespacemap pg_prewarm pg_stat_statements pg_surgery pg_trgm pg_visibility pg_walinspect pgcrypto pgrowlocks pgstattuple plpgsql postgres_fdw seg sepgsql sslinfo tablefunc tcn tsm_system_rows tsm_system_time unaccent uuid-ossp xml2'.split(
    ' ',
  ),
);

/** Where to get an extension the server does not ship, for a server of major `major`. */
export function packageAdvice(name: string, major: number | undefined): string {
  const m = major ?? 'NN';
  return CONTRIB.has(name)
    ? `${ident(name)} is part of PostgreSQL's contrib: Debian/Ubuntu ship it in postgresql-${m}, RHEL-like systems in postgresql${m}-contrib; on a managed service, check that the provider supports it`
    : `install the package that provides ${ident(name)} on the server (Debian/Ubuntu: usually postgresql-${m}-${name}), or on a managed service enable it in the provider's list of extensions`;
}

interface Row {
  readonly name: string;
  readonly available: boolean;
  readonly versions: string[];
  readonly trusted: boolean;
  readonly installed: string | null;
  readonly owner: string | null;
  readonly owns: boolean;
}

/** Extension names a step creates (create_extension) or needs (update_extension), from its object keys. */
function extensionsOf(keys: readonly string[]): string[] {
  return keys.filter((k) => k.startsWith('extension:')).map((k) => k.slice('extension:'.length));
}

export async function extensionsCheck(ctx: CheckContext): Promise<Check> {
  const created = [
    ...new Set(ctx.steps.filter((s) => s.action === 'create_extension').flatMap((s) => extensionsOf(s.creates))),
  ];
  const updated = [
    ...new Set(ctx.steps.filter((s) => s.action === 'update_extension').flatMap((s) => extensionsOf(s.requires))),
  ];
  if (created.length + updated.length === 0) return pass(ID, TITLE, `${ctx.scope} creates and updates no extension`);
  return guarded(ID, TITLE, async () => {
    const pinned = new Map((ctx.plan.target.snapshot.extensions ?? []).map((e) => [e.name, e.version]));
    const trusted = (ctx.serverVersionNum ?? 0) >= 130000 ? 'v.trusted' : 'false';
    const { rows } = await ctx.db.query<Row>(
      `SELECT n AS name, EXISTS (SELECT FROM pg_available_extensions a WHERE a.name = n) AS available,
        ARRAY(SELECT v.version FROM pg_available_extension_versions v WHERE v.name = n ORDER BY v.version)::text[] AS versions,
        coalesce((SELECT bool_or(${trusted}) FROM pg_available_extension_versions v WHERE v.name = n), false) AS trusted,
        e.extversion AS installed, pg_get_userbyid(e.extowner)::text AS owner,
        coalesce(pg_has_role(current_user, e.extowner, 'USAGE'), false) AS owns
      FROM unnest($1::text[]) AS n LEFT JOIN pg_extension e ON e.extname = n`,
      [[...created, ...updated]],
    );
    const {
      rows: [me],
    } = await ctx.db.query<{ usr: string; superuser: boolean; create: boolean; db: string }>(
      `SELECT current_user AS usr, r.rolsuper AS superuser, has_database_privilege(current_database(), 'CREATE') AS create,
        current_database() AS db
      FROM pg_roles r WHERE r.rolname = current_user`,
    );
    const major = ctx.serverVersionNum === undefined ? undefined : Math.floor(ctx.serverVersionNum / 10000);
    const problems: string[] = [];
    const fixes: string[] = [];
    for (const r of rows) {
      const version = pinned.get(r.name);
      if (!r.available) {
        problems.push(`the server does not ship ${ident(r.name)}`);
        fixes.push(packageAdvice(r.name, major));
        continue;
      }
      if (version !== undefined && !r.versions.includes(version)) {
        problems.push(`the server has ${ident(r.name)} at ${listed(r.versions)}, not the pinned ${literal(version)}`);
        fixes.push(`pin one of those versions, or install the ${ident(r.name)} package that has ${literal(version)}`);
      }
      if (me?.superuser) continue;
      if (created.includes(r.name)) {
        if (!r.trusted) {
          problems.push(
            `${ident(r.name)} is not a trusted extension, and ${ident(me?.usr ?? 'the role')} is not a superuser`,
          );
          fixes.push(
            `create it as a superuser before applying (on a managed service, its administrator role: rds_superuser, cloudsqlsuperuser, azure_pg_admin), then declare it as installed`,
          );
        } else if (!me?.create) {
          problems.push(`${ident(me?.usr ?? 'the role')} may not create ${ident(r.name)} in this database`);
          fixes.push(`GRANT CREATE ON DATABASE ${ident(me?.db ?? 'the_database')} TO ${ident(me?.usr ?? 'the_role')}`);
        }
      }
      if (updated.includes(r.name) && r.owner !== null && !r.owns) {
        problems.push(`updating ${ident(r.name)} needs its owner ${ident(r.owner)}`);
        fixes.push(`GRANT ${ident(r.owner)} TO ${ident(me?.usr ?? 'the_role')}`);
      }
    }
    const names = [...created, ...updated].map(ident);
    return problems.length
      ? fail(ID, TITLE, problems.join('; '), fixes.join('; '))
      : pass(
          ID,
          TITLE,
          `the server ships ${listed(names)}, and ${ident(me?.usr ?? 'the role')} may create or update them`,
        );
  });
}
