// The guard rails .ci/run runs before the tests (issue #19): each must reject a small file that breaks its rule,
// and accept the same file put right. Lint and format run Biome with the project's biome.json; layers and
// cycles run dependency-cruiser with the project's rules on a tiny tree laid out like src/; types run tsc with
// the settings `npm run typecheck` applies to test files.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name);
/** Inside the tree Biome checks (test/**), ignored by git; removed afterwards. */
const SCRATCH = join(ROOT, 'test', '.guard-rails');

function run(cmd: string, args: string[], cwd = ROOT): { code: number; out: string } {
  try {
    return { code: 0, out: execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (e) {
    const err = e as { status?: number; stdout?: string; stderr?: string };
    return { code: err.status ?? 1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

function write(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

afterAll(() => rmSync(SCRATCH, { recursive: true, force: true }));

describe('guard rails', () => {
  it('Biome rejects a lint error and accepts the file without it', () => {
    write(SCRATCH, {
      'lint-bad.ts': 'export function f(): number {\n  debugger;\n  return 1;\n}\n',
      'lint-good.ts': 'export function f(): number {\n  return 1;\n}\n',
    });
    const bad = run(bin('biome'), ['lint', relative(ROOT, join(SCRATCH, 'lint-bad.ts'))]);
    expect(bad.code, bad.out).not.toBe(0);
    expect(bad.out).toContain('noDebugger');
    expect(run(bin('biome'), ['lint', relative(ROOT, join(SCRATCH, 'lint-good.ts'))]).code).toBe(0);
  });

  it('Biome rejects a format difference (and lines over 120 columns it can break)', () => {
    const long = `export const names = [${Array.from({ length: 14 }, (_, i) => `'name_${i}'`).join(', ')}];\n`;
    write(SCRATCH, {
      'format-bad.ts': 'export const a = {b:1}\n',
      'format-long.ts': long,
      'format-good.ts': 'export const a = { b: 1 };\n',
    });
    for (const f of ['format-bad.ts', 'format-long.ts']) {
      const r = run(bin('biome'), ['format', relative(ROOT, join(SCRATCH, f))]);
      expect(r.code, `${f}: ${r.out}`).not.toBe(0);
    }
    expect(run(bin('biome'), ['format', relative(ROOT, join(SCRATCH, 'format-good.ts'))]).code).toBe(0);
  });

  it('dependency-cruiser rejects an upward import and a cycle, and accepts downward imports', () => {
    const tree = (files: Record<string, string>) => {
      const dir = mkdtempSync(join(tmpdir(), 'sy-layers-'));
      // The rules resolve imports through the project's tsconfig, found beside src/ as in the project.
      write(dir, { ...files, 'tsconfig.json': readFileSync(join(ROOT, 'tsconfig.json'), 'utf8') });
      return run(bin('depcruise'), ['src', '--config', join(ROOT, '.dependency-cruiser.cjs')], dir);
    };
    const upward = tree({
      'src/planner/plan.ts': "import { run } from '../executor/run.js';\nexport const p = run;\n",
      'src/executor/run.ts': 'export const run = 1;\n',
    });
    expect(upward.code, upward.out).not.toBe(0);
    expect(upward.out).toMatch(/planner\/plan\.ts/);
    const cycle = tree({
      'src/sql/a.ts': "import { b } from './b.js';\nexport const a = b;\n",
      'src/sql/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
    });
    expect(cycle.code, cycle.out).not.toBe(0);
    expect(cycle.out).toMatch(/no-circular|circular/);
    const down = tree({
      'src/executor/run.ts': "import { p } from '../planner/plan.js';\nexport const run = p;\n",
      'src/planner/plan.ts': 'export const p = 1;\n',
    });
    expect(down.code, down.out).toBe(0);
  }, 60_000); // three depcruise runs: seconds each on a loaded 2-core machine

  it('the typecheck covers test files and rejects a type error in one', () => {
    const check = JSON.parse(readFileSync(join(ROOT, 'tsconfig.check.json'), 'utf8')) as { include: string[] };
    expect(check.include).toEqual(expect.arrayContaining(['src', 'test', 'bench']));
    const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');
    for (const step of ['npm run -s typecheck', 'npm run -s lint', 'npm run -s depcruise']) expect(ci).toContain(step);
    write(SCRATCH, {
      'types.test.ts': "const n: number = 'one';\nexport { n };\n",
      'tsconfig.json': JSON.stringify({ extends: '../../tsconfig.check.json', include: ['types.test.ts'] }),
    });
    const r = run(bin('tsc'), ['-p', relative(ROOT, join(SCRATCH, 'tsconfig.json'))]);
    expect(r.code, r.out).not.toBe(0);
    expect(r.out).toContain("Type 'string' is not assignable to type 'number'");
  }, 60_000);
});
