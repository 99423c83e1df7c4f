// A project on disk for executor tests: the example's source schema in a fresh database, a switchyard.yaml
// pointing at it, the example's declared schema, and a plan made by the CLI.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { EXAMPLE_DIR } from '../../../src/commands/demo.js';
import { planChecksum } from '../../../src/planner/checksum.js';
import { readPlan, writePlanFiles } from '../../../src/planner/file.js';
import type { Plan } from '../../../src/planner/types.js';
import { cli } from '../../support/cli.js';
import { freshDatabase, type TestDatabase } from '../../support/db.js';

export interface Project {
  readonly db: TestDatabase;
  readonly dir: string;
  readonly config: string;
  readonly plan: string;
  /** Runs the CLI with this project's configuration. */
  run(...argv: string[]): ReturnType<typeof cli>;
}

export async function exampleProject(extraConfig = ''): Promise<Project> {
  const db = await freshDatabase();
  await db.client.query(readFileSync(join(EXAMPLE_DIR, 'source.sql'), 'utf8'));
  const dir = mkdtempSync(join(tmpdir(), 'sy-exec-'));
  const config = join(dir, 'switchyard.yaml');
  writeFileSync(config, `database: ${db.url}\nschema: schema.yaml\n${extraConfig}`);
  copyFileSync(join(EXAMPLE_DIR, 'schema.yaml'), join(dir, 'schema.yaml'));
  const run = (...argv: string[]) => cli('--config', config, ...argv);
  const planned = await run('plan', '--name', 'tiers');
  if (planned.code !== 0) throw new Error(`plan failed: ${planned.stderr}`);
  return { db, dir, config, plan: join(dir, 'plans', '0001_tiers.plan.yaml'), run };
}

/**
 * Rewrites a plan file after `edit`, with a fresh checksum and its SQL under migrations/ rendered again: a hand
 * edit someone re-sealed completely (apply refuses SQL files that differ from the plan).
 */
export async function editPlan(path: string, edit: (p: Plan) => Plan): Promise<void> {
  const edited = edit(await readPlan(path));
  const { checksum: _, ...rest } = edited;
  await writePlanFiles(
    { ...rest, checksum: planChecksum(rest) } as Plan,
    dirname(path),
    join(dirname(path), '..', 'migrations'),
  );
}
