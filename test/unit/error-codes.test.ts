// Every literal code thrown in src/ is one of ERROR_CODES. The compiler checks this for every SwitchyardError
// but one: commands/apply.ts's RefusedError still takes its code as a string (see the deprecated overload in
// errors.ts), so a misspelt code there would compile. This scan closes that gap until the overload goes.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors.js';

const SRC = join(import.meta.dirname, '../../src');
const THROWN = /(?:super|new \w*Error)\(\s*'([A-Z][A-Z0-9_]+)'/g;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('error codes', () => {
  it('every code thrown with a literal is in ERROR_CODES', () => {
    const known = new Set<string>(ERROR_CODES);
    const thrown = sources(SRC).flatMap((f) => [...readFileSync(f, 'utf8').matchAll(THROWN)].map((m) => m[1]!));
    expect(thrown.length).toBeGreaterThan(40);
    expect(thrown.filter((c) => !known.has(c))).toEqual([]);
  });
});
