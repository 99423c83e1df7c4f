// The health-gated switch: after a cutover, the configured health check must pass on the new side; when it
// fails, switchyard switches straight back (healthCheck.afterSwitch: cutback, the default), or stops and says
// so (afterSwitch: stop, exit 1).
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSwitch } from '../../../src/pair/cutover.js';
import { pairInit } from '../../../src/pair/init.js';
import { readTopology } from '../../../src/pair/topology.js';
import { cli } from '../../support/cli.js';
import { APP_SQL, freshPair } from '../../support/pair.js';

async function paired(afterSwitch: 'cutback' | 'stop') {
  const dir = mkdtempSync(join(tmpdir(), 'sy-health-'));
  const flag = join(dir, 'healthy');
  const pair = await freshPair(
    `healthCheck:\n  command: test -f ${flag}\n  timeoutMs: 2000\n  afterSwitch: ${afterSwitch}\n`,
  );
  await pair.blue.client.query(APP_SQL);
  await pairInit(pair.config);
  return { pair, flag };
}

describe('health-gated cutover', () => {
  it('switches back at once when the application is unhealthy on the new side', async () => {
    const { pair, flag } = await paired('cutback');
    const report = await runSwitch('cutover', pair.config, { healthRetryMs: 10 });
    expect(existsSync(flag)).toBe(false);
    expect(report.health).toMatchObject({ ok: false });
    expect(report.back).toMatchObject({ outcome: 'switched', from: 'green', to: 'blue' });
    for (const side of [pair.blue, pair.green])
      expect(await readTopology(side.client, 'switchyard')).toMatchObject({ live: 'blue', generation: 3 });
    // Healthy: the next cutover stays.
    writeFileSync(flag, '');
    const again = await runSwitch('cutover', pair.config);
    expect(again.health).toMatchObject({ ok: true });
    expect(again.back).toBeUndefined();
    expect(await readTopology(pair.blue.client, 'switchyard')).toMatchObject({ live: 'green', generation: 4 });
  }, 120_000);

  it('with afterSwitch: stop, stays on the new side and exits 1 naming the way back', async () => {
    const { pair } = await paired('stop');
    const r = await cli('--config', pair.configFile, 'cutover', '--yes');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /the health check failed and green stays live \(healthCheck.afterSwitch: stop\): switchyard cutback --yes goes back/,
    );
    expect(await readTopology(pair.green.client, 'switchyard')).toMatchObject({ live: 'green', generation: 2 });
  }, 120_000);
});
