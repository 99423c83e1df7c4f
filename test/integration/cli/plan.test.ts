import { copyFileSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_DIR } from '../../../src/commands/demo.js';
import { cli } from '../../support/cli.js';
import { freshDatabase } from '../../support/db.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const EXAMPLE_PLAN = join(ROOT, 'plans', '0001_example.plan.yaml');

describe('show', () => {
  it('renders every format', async () => {
    const md = await cli('show', EXAMPLE_PLAN, '--format', 'markdown');
    expect(md.code).toBe(0);
    for (const part of [
      '# Plan 0001_example',
      '## Complexity:',
      '## Hazards',
      '## Release 1',
      '### expand',
      '```mermaid',
      'flowchart TD',
      '<details>',
    ])
      expect(md.stdout).toContain(part);
    const mermaid = await cli('show', EXAMPLE_PLAN, '--format', 'mermaid');
    expect(mermaid.stdout.startsWith('flowchart TD\n')).toBe(true);
    expect(mermaid.stdout).toContain('subgraph r1_expand');
    const json = JSON.parse((await cli('show', EXAMPLE_PLAN, '--format', 'json')).stdout) as { checksum: string };
    expect(json.checksum).toMatch(/^sha256:/);
    const sql = await cli('show', EXAMPLE_PLAN, '--format', 'sql');
    expect(sql.stdout).toContain("SET lock_timeout = '2000ms';");
    expect(sql.stdout).toContain('CREATE INDEX CONCURRENTLY');
    expect((await cli('show', EXAMPLE_PLAN, '--format', 'pdf')).code).toBe(2);
  });
});

describe('lint', () => {
  it('exits 1 on a hazard that is not allowed and 0 once it is', async () => {
    const refused = await cli('lint', EXAMPLE_PLAN);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('DELETES_DATA');
    const allowed = await cli('lint', EXAMPLE_PLAN, '--allow-hazard', 'DELETES_DATA,BREAKS_OLD_APP');
    expect(allowed.code, allowed.stdout).toBe(0);
    expect((await cli('lint', EXAMPLE_PLAN, '--allow-hazard', 'NOT_A_HAZARD')).code).toBe(2);
  });

  it('refuses a plan file edited after planning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-tamper-'));
    const copy = join(dir, '0001_example.plan.yaml');
    writeFileSync(copy, readFileSync(EXAMPLE_PLAN, 'utf8').replace('lockTimeoutMs: 2000', 'lockTimeoutMs: 200000'));
    const r = await cli('lint', copy);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('was changed after it was planned');
  });
});

describe('plan', () => {
  it('writes numbered plans and SQL; re-planning a name keeps its number and bytes', async () => {
    const db = await freshDatabase();
    await db.client.query(readFileSync(join(EXAMPLE_DIR, 'source.sql'), 'utf8'));
    const dir = mkdtempSync(join(tmpdir(), 'sy-plan-'));
    writeFileSync(join(dir, 'switchyard.yaml'), `database: ${db.url}\nschema: schema.yaml\n`);
    copyFileSync(join(EXAMPLE_DIR, 'schema.yaml'), join(dir, 'schema.yaml'));
    const cfg = join(dir, 'switchyard.yaml');
    const first = await cli('--config', cfg, 'plan', '--name', 'tiers');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('0001_tiers.plan.yaml');
    const bytes = readFileSync(join(dir, 'plans', '0001_tiers.plan.yaml'), 'utf8');
    expect(readdirSync(join(dir, 'migrations', '0001_tiers'))).toContain('r1-expand.up.sql');
    expect(first.stdout).not.toContain(new URL(db.url).password);
    await cli('--config', cfg, 'plan', '--name', 'tiers');
    expect(readdirSync(join(dir, 'plans'))).toEqual(['0001_tiers.plan.yaml']);
    const again = readFileSync(join(dir, 'plans', '0001_tiers.plan.yaml'), 'utf8');
    // Costs come from pg_class statistics, which autovacuum may refresh between runs: compare without them.
    const noCost = (t: string) =>
      t
        .replace(/\n\s+cost:\n(\s+\w+: [\d.]+\n)+/g, '\n')
        .replace(/checksum: .*/g, '')
        .replace(/(rowsScanned|rowsRewritten|estimatedSeconds|recommendedWindowSeconds|score): .*/g, '');
    expect(noCost(again)).toBe(noCost(bytes));
    expect((await cli('--config', cfg, 'plan', '--name', 'second')).stdout).toContain('0002_second.plan.yaml');
    expect((await cli('--config', cfg, 'plan', '--name', 'Bad Name')).code).toBe(2);
    expect(bytes).not.toContain(new URL(db.url).password);
  });
});
