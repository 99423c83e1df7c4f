// `switchyard init`: a commented switchyard.yaml and an example schema, never overwriting a file.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const CONFIG = `# switchyard configuration. Values may reference environment variables: \${DATABASE_URL}.
database: \${DATABASE_URL}
# The declared schema (what the application should have).
schema: schema.yaml
# Where plans and their rendered SQL are written.
plans: plans
migrations: migrations
# Schema that holds switchyard's ledger in each database (never replicated).
ledgerSchema: switchyard
# Which schemas \`introspect\` reads (default: every non-system schema).
# introspect: { include: [public], exclude: [audit] }
# Exit 1 when the database holds objects switchyard does not model (views, policies, grants...), as --strict.
# strict: true
`;

const SCHEMA = `# Declared schema. Validate with \`switchyard validate\`; compare with \`switchyard diff\`.
# Editors: point yaml-language-server at switchyard's JSON Schema for completion:
# yaml-language-server: $schema=./node_modules/@switchyard-db/switchyard/schema/switchyard.schema.json
schemas:
  public:
    tables:
      users:
        columns:
          id: { type: bigint, nullable: false, identity: always }
          email: { type: text, nullable: false }
          created_at: { type: timestamp with time zone, nullable: false, default: "now()" }
        primaryKey: { columns: [id] }
        unique:
          users_email_key: { columns: [email] }
`;

/** The files `init` wrote, and those it left alone because they exist. */
export interface InitResult {
  readonly created: readonly string[];
  readonly skipped: readonly string[];
}

/**
 * `switchyard init`: writes a commented switchyard.yaml and an example schema.yaml into `dir`, never overwriting a
 * file.
 */
export async function init(dir: string): Promise<InitResult> {
  const created: string[] = [];
  const skipped: string[] = [];
  for (const [name, text] of [
    ['switchyard.yaml', CONFIG],
    ['schema.yaml', SCHEMA],
  ] as const) {
    const path = join(dir, name);
    if (existsSync(path)) skipped.push(name);
    else {
      await writeFile(path, text, { flag: 'wx' });
      created.push(name);
    }
  }
  return { created, skipped };
}
