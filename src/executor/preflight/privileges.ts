// What the connected role lacks to run steps, each with the GRANT that gives it: ALTER TABLE needs the
// table's owner (membership in the owning role), a backfill SELECT and UPDATE, a new object CREATE on its
// schema, the ledger its schema (or CREATE on the database to make it). `preflight` lists these for a whole
// plan before it runs; `apply` asks again for the one step a permission error (SQLSTATE 42501) stopped.
import type pg from 'pg';
import { qualified } from '../../db/quote.js';
import type { Step } from '../../planner/types.js';

type Queryable = Pick<pg.Client, 'query'>;

/** What some steps need: tables altered (their owner), tables backfilled, schemas created in, the ledger. */
export interface PrivilegeNeeds {
  readonly altered: readonly string[];
  readonly filled: readonly string[];
  readonly schemas: readonly string[];
  readonly ledgerSchema: string;
}

export interface PrivilegeProblem {
  /** "not the owner of public.users (owned by app_owner)" */
  readonly problem: string;
  /**
   * The statement an administrator runs to fix it, e.g. `GRANT app_owner TO deployer` (membership in the owning
   * role; `ALTER TABLE ... OWNER TO deployer` when that role is a superuser).
   */
  readonly grant: string;
}

export interface PrivilegeReport {
  readonly user: string;
  readonly superuser: boolean;
  readonly problems: readonly PrivilegeProblem[];
}

/** What `steps` need (see PrivilegeNeeds). */
export function needsOf(steps: readonly Step[], ledgerSchema: string, schemas?: readonly string[]): PrivilegeNeeds {
  const created = steps.flatMap((s) =>
    s.creates.flatMap((k) => {
      const m = /^(type|sequence|function|table|index|view):([^\u001f]+)\u001f/.exec(k);
      return m ? [m[2]!] : [];
    }),
  );
  return {
    altered: [...new Set(steps.filter((s) => s.lock !== 'none' && !s.backfill).flatMap((s) => s.lockedTables))],
    filled: [...new Set(steps.flatMap((s) => (s.backfill ? [qualified(s.backfill.schema, s.backfill.table)] : [])))],
    schemas: [...new Set(schemas ?? created)],
    ledgerSchema,
  };
}

/** The problems of the connected role for `needs`, each with its GRANT (none for a superuser). */
export async function privilegeProblems(db: Queryable, needs: PrivilegeNeeds): Promise<PrivilegeReport> {
  const {
    rows: [me],
  } = await db.query<{ usr: string; superuser: boolean }>(
    `SELECT current_user AS usr, rolsuper AS superuser FROM pg_roles WHERE rolname = current_user`,
  );
  const user = me?.usr ?? 'the role';
  if (me?.superuser) return { user, superuser: true, problems: [] };
  const { rows } = await db.query<PrivilegeProblem>(
    `SELECT format('not the owner of %s (owned by %I)', t.name, r.rolname) AS problem,
            -- Membership in a superuser role would be superuser in all but name: the table changes owner instead.
            CASE WHEN r.rolsuper THEN format('ALTER TABLE %s OWNER TO %I', t.name, current_user)
                 ELSE format('GRANT %I TO %I', r.rolname, current_user) END AS grant
       FROM unnest($1::text[]) AS t(name) JOIN pg_class c ON c.oid = to_regclass(t.name) JOIN pg_roles r ON r.oid = c.relowner
      WHERE NOT pg_has_role(current_user, c.relowner, 'USAGE')
     UNION ALL
     SELECT format('no SELECT and UPDATE on %s', t.name), format('GRANT SELECT, UPDATE ON TABLE %s TO %I', t.name, current_user)
       FROM unnest($2::text[]) AS t(name)
      WHERE to_regclass(t.name) IS NOT NULL AND NOT has_table_privilege(to_regclass(t.name), 'SELECT, UPDATE')
     UNION ALL
     SELECT format('no CREATE on schema %I', n.nspname), format('GRANT CREATE ON SCHEMA %I TO %I', n.nspname, current_user)
       FROM pg_namespace n WHERE n.nspname = ANY($3::text[]) AND NOT has_schema_privilege(n.oid, 'CREATE')
     UNION ALL
     SELECT CASE WHEN n.oid IS NULL THEN format('no CREATE on database %I to make the ledger schema %I', current_database(), $4::text)
                 ELSE format('no USAGE and CREATE on the ledger schema %I', $4::text) END,
            CASE WHEN n.oid IS NULL THEN format('GRANT CREATE ON DATABASE %I TO %I', current_database(), current_user)
                 ELSE format('GRANT USAGE, CREATE ON SCHEMA %I TO %I', $4::text, current_user) END
       FROM (SELECT 1) AS one LEFT JOIN pg_namespace n ON n.nspname = $4::text
      WHERE CASE WHEN n.oid IS NULL THEN NOT has_database_privilege(current_database(), 'CREATE')
                 ELSE NOT has_schema_privilege(n.oid, 'USAGE, CREATE') END
      ORDER BY 1`,
    [needs.altered, needs.filled, needs.schemas, needs.ledgerSchema],
  );
  return { user, superuser: false, problems: rows };
}

/** The GRANTs as one line of advice: "have an administrator run: GRANT a TO b; GRANT ..." */
export function grantAdvice(problems: readonly PrivilegeProblem[]): string {
  return `have an administrator run: ${[...new Set(problems.map((p) => p.grant))].map((g) => `${g};`).join(' ')}`;
}
