// Privileges on the application's schemas, tables and sequences. An application that may write on live but not
// on the new side fails every transaction after a cutover: `pair init` copies live's grants to the standby (the
// roles must exist there: roles are cluster-wide, not the pair's to create), and the cutover gate compares both
// sides and names the GRANT statements the new side is missing.
import type { Queryable } from '../introspect/index.js';
import { ident, qualified } from '../sql/quote.js';

export interface Privilege {
  readonly kind: 'schema' | 'table' | 'sequence';
  readonly schema: string;
  /** The table or sequence; empty for a schema. */
  readonly name: string;
  /** A role name, or PUBLIC. */
  readonly grantee: string;
  readonly privilege: string;
}

/** Privileges granted to others than the owner on `schemas` and their tables and sequences. */
export async function readPrivileges(db: Queryable, schemas: readonly string[]): Promise<Privilege[]> {
  const { rows } = await db.query<{ kind: Privilege['kind']; schema: string; name: string; grantee: string | null; public: boolean; privilege: string }>(
    `SELECT CASE c.relkind WHEN 'S' THEN 'sequence' ELSE 'table' END AS kind, n.nspname AS schema, c.relname AS name,
            r.rolname AS grantee, a.grantee = 0 AS public, a.privilege_type AS privilege
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace CROSS JOIN LATERAL aclexplode(c.relacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee
      WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p', 'S') AND a.grantee <> c.relowner
     UNION ALL
     SELECT 'schema', n.nspname, '', r.rolname, a.grantee = 0, a.privilege_type
       FROM pg_namespace n CROSS JOIN LATERAL aclexplode(n.nspacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee
      WHERE n.nspname = ANY($1::text[]) AND a.grantee <> n.nspowner`,
    [schemas],
  );
  return rows.map((r) => ({ kind: r.kind, schema: r.schema, name: r.name, grantee: r.public ? 'PUBLIC' : (r.grantee ?? '?'), privilege: r.privilege }));
}

const keyOf = (p: Privilege) => JSON.stringify([p.kind, p.schema, p.name, p.grantee, p.privilege]);

/** The GRANT statement giving `p`. */
export function grantStatement(p: Privilege): string {
  const on = p.kind === 'schema' ? `SCHEMA ${ident(p.schema)}` : `${p.kind === 'sequence' ? 'SEQUENCE' : 'TABLE'} ${qualified(p.schema, p.name)}`;
  return `GRANT ${p.privilege} ON ${on} TO ${p.grantee === 'PUBLIC' ? 'PUBLIC' : ident(p.grantee)}`;
}

/** What `have` lacks of `want` (objects `have` does not have at all are left out: schema drift says so). */
export function missingPrivileges(want: readonly Privilege[], have: readonly Privilege[], objects?: ReadonlySet<string>): Privilege[] {
  const got = new Set(have.map(keyOf));
  return want.filter((p) => !got.has(keyOf(p)) && (!objects || objects.has(p.kind === 'schema' ? p.schema : qualified(p.schema, p.name))));
}

export interface GrantCopy {
  readonly granted: number;
  /** Grants that could not be given, with the server's reason (usually a role that does not exist there). */
  readonly failed: readonly { readonly grant: string; readonly error: string }[];
}

/** Gives `to` every privilege `from` grants on `schemas` and their objects that `to` lacks, one GRANT at a time. */
export async function copyPrivileges(from: Queryable, to: Queryable, schemas: readonly string[]): Promise<GrantCopy> {
  const missing = missingPrivileges(await readPrivileges(from, schemas), await readPrivileges(to, schemas));
  let granted = 0;
  const failed: { grant: string; error: string }[] = [];
  for (const p of missing) {
    const grant = grantStatement(p);
    try {
      await to.query(grant);
      granted++;
    } catch (e) {
      failed.push({ grant, error: (e as Error).message });
    }
  }
  return { granted, failed };
}
