// Preflight names what the model does not hold in the plan's schemas: a warning, a failure with strict: true.
import { describe, expect, it } from 'vitest';
import { only, preflight, setup } from './preflight-support.js';

describe('not-modeled check', () => {
  it('passes without such objects, warns naming them, and fails with strict', async () => {
    const s = await setup();
    expect(only(await preflight(s), 'not-modeled').status).toBe('pass');
    await s.db.client.query('CREATE TYPE public.staff');
    const found = only(await preflight(s), 'not-modeled');
    expect(found.status).toBe('warn');
    expect(found.detail).toBe('1 object not modeled, left as they are: shell type "public"."staff"');
    const strict = only(await preflight(s, { config: { ...s.config, strict: true } }), 'not-modeled');
    expect(strict.status).toBe('fail');
  });
});
