// switchyard.yaml is validated like the declared schema file (issue #18, point 7): every problem with
// file:line:column, a did-you-mean for a misspelled key or value; a JSON Schema for editors, checked in; and the
// file `switchyard init` writes documents every key of the schema, with a value that is valid for it.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { init } from '../../../src/commands/init.js';
import { InvalidConfigError, loadConfig } from '../../../src/config/config.js';
import { configJsonSchema, configKeys, CONFIG_SCHEMA_PATH } from '../../../src/config/template.js';

const CHECKED_IN = new URL('../../../schema/switchyard.config.schema.json', import.meta.url);

function tempFile(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'sy-config-')), name);
  writeFileSync(path, text);
  return path;
}

async function problems(yaml: string) {
  const file = tempFile('switchyard.yaml', yaml);
  try {
    await loadConfig(file);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidConfigError);
    return (e as InvalidConfigError).problems.map((p) => ({
      at: `${p.line}:${p.column}`,
      path: p.path,
      message: p.message,
      fix: p.fix,
    }));
  }
  throw new Error('expected the configuration to be refused');
}

/** The file `init` writes, with its commented-out keys uncommented (`# key: value` -> `key: value`). */
function uncommented(text: string): string {
  const names = new Set(configKeys().map((k) => k.split('.').pop()!));
  return text
    .split('\n')
    .map((line) => {
      const key = /^# ( *)([A-Za-z]+):( |$)/.exec(line);
      if (key && names.has(key[2]!)) return line.slice(2);
      return /^# +#/.test(line) ? line.slice(2) : line;
    })
    .join('\n');
}

async function initFile(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'sy-init-'));
  expect((await init(dir)).created).toContain('switchyard.yaml');
  return readFileSync(join(dir, 'switchyard.yaml'), 'utf8');
}

describe('switchyard.yaml', () => {
  it('names a misspelled key or value at its line and column, with a did-you-mean', async () => {
    expect(
      await problems(
        [
          'database: postgres://app@127.0.0.1/app',
          'allowHazard: [TABLE_REWRITE]',
          'healthCheck:',
          '  urll: https://app.internal/healthz',
          'router: { kind: pgbouncr }',
          'rehearsal:',
          '  sampleRows: many',
          'colour: true',
        ].join('\n'),
      ),
    ).toEqual([
      {
        at: '2:1',
        path: 'allowHazard',
        message: 'unknown key `allowHazard`',
        fix: 'did you mean `allowHazards`?',
      },
      {
        at: '4:3',
        path: 'healthCheck.urll',
        message: 'unknown key `urll` in `healthCheck`',
        fix: 'did you mean `url`?',
      },
      {
        at: '4:3',
        path: 'healthCheck',
        message: '`healthCheck` needs exactly one of `url` or `command`',
        fix: 'see `switchyard init` for a commented example of every key',
      },
      {
        at: '5:17',
        path: 'router.kind',
        message: '`router.kind` must be one of pgbouncer, command, none; got "pgbouncr"',
        fix: 'did you mean `pgbouncer`?',
      },
      {
        at: '7:15',
        path: 'rehearsal.sampleRows',
        message: '`rehearsal.sampleRows` must be a number, got "many"',
        fix: 'see `switchyard init` for a commented example of every key',
      },
      {
        at: '8:1',
        path: 'colour',
        message: 'unknown key `colour`',
        fix: expect.stringMatching(/^valid keys here: database, schema, plans, .*, rehearsal$/),
      },
    ]);
    const [hazard] = await problems('allowHazards: [TABLE_REWRITE, DELETE_DATA]\n');
    expect(hazard).toMatchObject({ at: '1:31', path: 'allowHazards.1', fix: 'did you mean `DELETES_DATA`?' });
  });

  it('has a JSON Schema for editors, checked in as schema/switchyard.config.schema.json, describing every key', () => {
    expect(readFileSync(CHECKED_IN, 'utf8')).toBe(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
    type Node = { description?: string; additionalProperties?: boolean; properties?: Record<string, Node> };
    const described: string[] = [];
    const walk = (n: Node, prefix: string) => {
      expect(n.additionalProperties, prefix || 'the top level').toBe(false);
      for (const [key, child] of Object.entries(n.properties ?? {})) {
        if (child.description) described.push(`${prefix}${key}`);
        if (child.properties) walk(child, `${prefix}${key}.`);
      }
    };
    walk(configJsonSchema() as Node, '');
    expect(described).toEqual(configKeys());
  });

  it('`init` writes every key of the schema, each under a comment saying what it does', async () => {
    const text = await initFile();
    expect(text).toContain(`# yaml-language-server: $schema=${CONFIG_SCHEMA_PATH}`);
    expect(CONFIG_SCHEMA_PATH.endsWith(new URL(CHECKED_IN).pathname.split('/').slice(-2).join('/'))).toBe(true);
    const all = uncommented(text);
    const lines = new LineCounter();
    const doc = parseDocument(all, { lineCounter: lines });
    expect(doc.errors).toEqual([]);
    const rows = all.split('\n');
    for (const key of configKeys()) {
      const path = key.split('.');
      expect(doc.hasIn(path), key).toBe(true);
      const parent = (path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents) as {
        items: Array<{ key: { value: string; range: [number, number] } }>;
      };
      const pair = parent.items.find((p) => p.key.value === path.at(-1));
      const line = lines.linePos(pair!.key.range[0]).line;
      expect(rows[line - 2]?.trim().startsWith('#'), `${key} has no comment above it`).toBe(true);
    }
    expect(configKeys().length).toBeGreaterThan(30);
  });

  it('the file `init` writes loads as it is, and every value it shows is valid for its key', async () => {
    const text = await initFile();
    const asIs = await loadConfig(tempFile('switchyard.yaml', text));
    expect(asIs).toMatchObject({ schema: 'schema.yaml', plans: 'plans', ledgerSchema: 'switchyard' });
    // healthCheck takes url or command, not both: the example shows both, one to choose.
    const all = uncommented(text)
      .split('\n')
      .filter((l) => !l.startsWith('  command: ./check-app.sh'))
      .join('\n');
    const everything = await loadConfig(tempFile('switchyard.yaml', all));
    expect(everything.healthCheck?.url).toBe('https://app.internal/healthz');
    expect(everything.allowHazards).toEqual(['TABLE_REWRITE']);
    expect(everything.router?.kind).toBe('none');
  });
});
