// `switchyard init`: a commented switchyard.yaml (every key of its schema: config/template.ts) and an example
// schema, never overwriting a file.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { configTemplate } from '../config/template.js';

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
    ['switchyard.yaml', configTemplate()],
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
