// Privileges on the application's schemas, tables, columns, sequences and functions. An application that may
// write on live but not on the new side fails every transaction after a cutover: `pair init` copies live's
// grants to the standby (the roles must exist there: roles are cluster-wide, not the pair's to create), and
// the cutover gate compares both sides and names the GRANT statements the new side is missing.
import type { Queryable } from '../introspect/index.js';
import { ident, qualified } from '../db/quote.js';

export interface Privilege {
  readonly kind: 'schema' | 'table' | 'sequence' | 'column' | 'function';
  readonly schema: string;
  /** The table, sequence or function; empty for a schema. */
  readonly name: string;
  /** The column of a column privilege; a function's identity arguments. */
  readonly detail?: string;
  /** A role name, or PUBLIC. */
  readonly grantee: string;
  readonly privilege: string;
  /** WITH GRANT OPTION. */
  readonly grantable: boolean;
}

/** Privileges granted to others than the owner on `schemas` and their objects. */
export async function readPrivileges(db: Queryable, schemas: readonly string[]): Promise<Privilege[]> {
  const { rows } = await db.query<{
    kind: Privilege['kind'];
    schema: string;
    name: string;
    detail: string | null;
    grantee: string | null;
    public: boolean;
    privilege: string;
    grantable: boolean;
  }>(
    `SELECT CASE c.relkind WHEN 'S' THEN 'sequence' ELSE 'table' END AS kind, n.nspname AS schema, c.relname AS name, NULL AS detail,
            r.rolname AS grantee, a.grantee = 0 AS public, a.privilege_type AS privilege, a.is_grantable AS grantable
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace CROSS JOIN LATERAL aclexplode(c.relacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee
      WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p', 'S') AND a.grantee <> c.relowner
     UNION ALL
     SELECT 'column', n.nspname, c.relname, att.attname, r.rolname, a.grantee = 0, a.privilege_type, a.is_grantable
       FROM pg_attribute att JOIN pg_class c ON c.oid = att.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            CROSS JOIN LATERAL aclexplode(att.attacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee
      WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p') AND att.attnum > 0 AND NOT att.attisdropped AND a.grantee <> c.relowner
     UNION ALL
     SELECT 'function', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), r.rolname, a.grantee = 0, a.privilege_type, a.is_grantable
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace CROSS JOIN LATERAL aclexplode(p.proacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee
      WHERE n.nspname = ANY($1::text[]) AND a.grantee <> p.proowner
     UNION ALL
     SELECT 'schema', n.nspname, '', NULL, r.rolname, a.grantee = 0, a.privilege_type, a.is_grantable
       FROM pg_namespace n CROSS JOIN LATERAL aclexplode(n.nspacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee
      WHERE n.nspname = ANY($1::text[]) AND a.grantee <> n.nspowner`,
    [schemas],
  );
  return rows.map((r) => ({
    kind: r.kind,
    schema: r.schema,
    name: r.name,
    ...(r.detail !== null ? { detail: r.detail } : {}),
    grantee: r.public ? 'PUBLIC' : (r.grantee ?? '?'),
    privilege: r.privilege,
    grantable: r.grantable,
  }));
}

const keyOf = (p: Privilege) =>
  JSON.stringify([p.kind, p.schema, p.name, p.detail ?? '', p.grantee, p.privilege, p.grantable]);

/** The object a privilege is on, as GRANT names it. */
function target(p: Privilege): string {
  switch (p.kind) {
    case 'schema':
      return `SCHEMA ${ident(p.schema)}`;
    case 'sequence':
      return `SEQUENCE ${qualified(p.schema, p.name)}`;
    case 'function':
      // The identity arguments as the catalog prints them (types quoted and qualified where needed).
      return `FUNCTION ${qualified(p.schema, p.name)}(${p.detail ?? ''})`;
    default:
      return `TABLE ${qualified(p.schema, p.name)}`;
  }
}

/** The GRANT statement giving `p`. */
export function grantStatement(p: Privilege): string {
  const what = p.kind === 'column' ? `${p.privilege} (${ident(p.detail ?? '')})` : p.privilege;
  return `GRANT ${what} ON ${target(p)} TO ${p.grantee === 'PUBLIC' ? 'PUBLIC' : ident(p.grantee)}${p.grantable ? ' WITH GRANT OPTION' : ''}`;
}

/** What `have` lacks of `want` (objects `have` does not have at all are left out: schema drift says so). */
export function missingPrivileges(
  want: readonly Privilege[],
  have: readonly Privilege[],
  objects?: ReadonlySet<string>,
): Privilege[] {
  const got = new Set(have.map(keyOf));
  return want
    .filter(
      (p) =>
        !got.has(keyOf(p)) &&
        (!objects ||
          p.kind === 'function' ||
          objects.has(p.kind === 'schema' ? p.schema : qualified(p.schema, p.name))),
    )
    .map((p) => ({ p, grant: grantStatement(p) }))
    .sort((a, b) => (a.grant < b.grant ? -1 : a.grant > b.grant ? 1 : 0))
    .map(({ p }) => p);
}

export interface GrantCopy {
  readonly granted: number;
  /** Grants that could not be given, with the server's reason (usually a role that does not exist there). */
  readonly failed: readonly { readonly grant: string; readonly error: string }[];
}

/** Gives `to` every privilege `from` grants on `schemas` and their objects that `to` lacks, one GRANT at a time. */
export async function copyPrivileges(from: Queryable, to: Queryable, schemas: readonly string[]): Promise<GrantCopy> {
  const want = await readPrivileges(from, schemas);
  const missing = missingPrivileges(want, await readPrivileges(to, schemas));
  const failed: { grant: string; error: string }[] = [];
  for (const p of missing) {
    const grant = grantStatement(p);
    try {
      await to.query(grant);
    } catch (e) {
      failed.push({ grant, error: (e as Error).message });
    }
  }
  // A GRANT the connected role may not give only warns ("no privileges were granted"): read back what took.
  const still = new Set(missingPrivileges(want, await readPrivileges(to, schemas)).map(grantStatement));
  for (const grant of still)
    if (!failed.some((f) => f.grant === grant))
      failed.push({ grant, error: 'granted nothing: the role switchyard connects as may not grant it' });
  return { granted: missing.length - still.size, failed };
}
