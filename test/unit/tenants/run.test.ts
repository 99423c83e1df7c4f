import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { tenantsArg } from '../../../src/tenants/run.js';

describe('tenantsArg', () => {
  it('quotes a registry name for the shell in the fix commands messages print', () => {
    expect(tenantsArg('tenant_001')).toBe('--tenants tenant_001');
    expect(tenantsArg(`tenant o'hara; drop "x" y`)).toBe(`--tenants 'tenant o'\\''hara; drop "x" y'`);
    expect(tenantsArg('$(rm -rf ~)')).toBe(`--tenants '$(rm -rf ~)'`);
    expect(tenantsArg('a,b')).toBe('--tenants-file FILE (a file naming the tenant on one line)');
  });

  it('gives the shell back the name exactly', () => {
    for (const name of [`tenant o'hara; drop "x" y`, '$(touch /tmp/pwned) `x` \\ * ?', "''", 'ünïcode tenant']) {
      const arg = tenantsArg(name).slice('--tenants '.length);
      expect(execFileSync('sh', ['-c', `printf %s ${arg}`], { encoding: 'utf8' })).toBe(name);
    }
  });
});
