// bench/yaml-emit: toYaml on the 2,000-table model of bench/introspect.ts, built in memory (no database),
// against the reference emitter built on the yaml library's Document (test/support/emit-reference.ts).
// Each timing covers the call and encoding its text as UTF-8 (what writing the file costs on top).
// "first call" is a fresh process calling once, as `switchyard introspect` does; "warm" is best of 5 in one
// process after a warm-up. Both outputs must be identical.
// Run: npm run build && node scripts/with-node.mjs bench/yaml-emit.ts   (goal: toYaml under 150 ms)
import { spawnSync } from 'node:child_process';
import { registerHooks } from 'node:module';
import { toYaml } from '../dist/schema/emit/yaml.js';
import type { DatabaseSchema } from '../dist/schema/model/model.js';

// The reference lives with the tests, which import `./x.js` for `./x.ts` (as tsc and vitest resolve them).
registerHooks({
  resolve(specifier, context, next) {
    try {
      return next(specifier, context);
    } catch (e) {
      if (specifier.startsWith('.') && specifier.endsWith('.js')) return next(`${specifier.slice(0, -3)}.ts`, context);
      throw e;
    }
  },
});
const { referenceToYaml } = await import('../test/support/emit-reference.ts');
const { largeModel } = await import('../test/support/emit-models.ts');

const TABLES = Number(process.env.BENCH_TABLES ?? 2000);
const RUNS = 5;
const emitters: Record<string, (m: DatabaseSchema) => string> = { reference: referenceToYaml, toYaml };

function once(emit: (m: DatabaseSchema) => string, model: DatabaseSchema): { ms: number; out: string } {
  const t0 = performance.now();
  const out = emit(model);
  Buffer.from(out, 'utf8');
  return { ms: performance.now() - t0, out };
}

const cold = process.argv.indexOf('--first-call');
if (cold !== -1) {
  const emit = emitters[process.argv[cold + 1] ?? ''];
  if (!emit) throw new Error(`--first-call ${Object.keys(emitters).join('|')}`);
  console.log(once(emit, largeModel(TABLES)).ms);
} else {
  const model = largeModel(TABLES);
  const firstCall = (name: string): number[] =>
    Array.from({ length: RUNS }, () =>
      Number(spawnSync(process.execPath, [process.argv[1] ?? '', '--first-call', name], { encoding: 'utf8' }).stdout),
    );
  const warm = (emit: (m: DatabaseSchema) => string): { runs: number[]; out: string } => {
    const out = once(emit, model).out;
    return { runs: Array.from({ length: RUNS }, () => once(emit, model).ms), out };
  };
  const ref = warm(referenceToYaml);
  const ours = warm(toYaml);
  const best = (runs: number[]): string =>
    `best ${Math.min(...runs).toFixed(1)} ms (${runs.map((n) => n.toFixed(0)).join(', ')})`;
  const [refCold, oursCold] = [firstCall('reference'), firstCall('toYaml')];
  console.log(`${TABLES} tables, ${(ours.out.length / 1e6).toFixed(2)} MB of YAML`);
  console.log(`reference (yaml Document): first call ${best(refCold)}; warm ${best(ref.runs)}`);
  console.log(`toYaml:                    first call ${best(oursCold)}; warm ${best(ours.runs)}`);
  const speedup = Math.min(...refCold) / Math.min(...oursCold);
  console.log(
    `identical output: ${ours.out === ref.out}; first call ${speedup.toFixed(1)}x faster; goal under 150 ms: ${Math.min(...oursCold) < 150 ? 'met' : 'missed'}`,
  );
  if (ours.out !== ref.out) process.exitCode = 1;
}
