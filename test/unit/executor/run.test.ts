// The phase runner's policy, whatever the units are: guards in order before connecting, the placement hook under
// the lock, `ready` once, and the health check after a phase (stop: the phase stays; rollback: the units' undo).
import { describe, expect, it } from 'vitest';
import type { Client } from '../../../src/db/connect.js';
import { SwitchyardError } from '../../../src/errors.js';
import {
  HealthCheckFailedError,
  runPhase,
  type ExecutorEvent,
  type PhaseSpec,
  type PhaseUnits,
} from '../../../src/executor/run.js';

/** A session that answers every query of the executor lock as a free lock outside a transaction would. */
function fakeClient(log: string[]): Client {
  const c = {
    query: async () => ({ rows: [{ in_tx: false, name: '', ok: true }] }),
    end: async () => void log.push('end'),
  };
  return c as unknown as Client;
}

const sel = { release: 1, phase: 'expand' } as const;

function spec<R>(log: string[], units: PhaseUnits<R>, more: Partial<PhaseSpec<R>> = {}): PhaseSpec<R> {
  return {
    what: 'apply t r1 expand',
    guards: [],
    open: async () => {
      log.push('open');
      return { client: fakeClient(log), key: { database: 'd', ledgerSchema: 'switchyard' } };
    },
    confirm: async () => void log.push('confirm'),
    beforeChange: async () => void log.push('beforeChange'),
    ledger: 'switchyard',
    rollbackCommand: (p) => `switchyard rollback plan --release ${p.release} --phase ${p.phase}`,
    units,
    ...more,
  };
}

/** Units that apply one phase and record what the runner made them do. */
const oneUnit = (log: string[]): PhaseUnits<string> => ({
  async run(ex) {
    await ex.ready();
    await ex.ready();
    log.push('phase');
    await ex.ran(sel, 'release 1 expand of plan t', async () => void log.push('undo'));
    return 'ran';
  },
});

describe('runPhase', () => {
  it('refuses on the first guard that says no, before connecting', async () => {
    const log: string[] = [];
    const refusal = new SwitchyardError('HAZARD_REFUSED', 'first', 1);
    const guards = [
      () => undefined,
      () => refusal,
      () => {
        log.push('later guard');
        return undefined;
      },
    ];
    await expect(runPhase(spec(log, oneUnit(log), { guards }))).rejects.toBe(refusal);
    expect(log).toEqual([]);
  });

  it('without a health check: placement confirmed under the lock, ready once, the phase, the session closed', async () => {
    const log: string[] = [];
    expect(await runPhase(spec(log, oneUnit(log)))).toBe('ran');
    expect(log).toEqual(['open', 'confirm', 'beforeChange', 'phase', 'end']);
  });

  it('a passing health check lets the phase stand and is reported', async () => {
    const log: string[] = [];
    const events: ExecutorEvent[] = [];
    const health = { command: 'true', timeoutMs: 5000, onFailure: 'rollback' as const };
    expect(await runPhase(spec(log, oneUnit(log), { health, onEvent: (e) => events.push(e) }))).toBe('ran');
    expect(log).not.toContain('undo');
    expect(events.map((e) => (e.kind === 'health' ? e.result.ok : e.kind))).toEqual([true]);
  });

  it('onFailure: stop fails after the phase, leaves it, and names the command that undoes it', async () => {
    const log: string[] = [];
    const health = { command: 'echo unhappy; exit 1', timeoutMs: 5000, onFailure: 'stop' as const };
    const err = await runPhase(spec(log, oneUnit(log), { health })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HealthCheckFailedError);
    expect((err as Error).message).toContain('exit 1: unhappy');
    expect((err as Error).message).toContain('to undo it: switchyard rollback plan --release 1 --phase expand');
    expect(log).toEqual(['open', 'confirm', 'beforeChange', 'phase', 'end']);
  });

  it('onFailure: rollback has the units undo the phase, once, and reports it rolled back', async () => {
    const log: string[] = [];
    const events: ExecutorEvent[] = [];
    const health = { command: 'exit 1', timeoutMs: 5000, onFailure: 'rollback' as const };
    const err = await runPhase(spec(log, oneUnit(log), { health, onEvent: (e) => events.push(e) })).catch(
      (e: unknown) => e,
    );
    expect((err as Error).message).toContain('the phase was rolled back (healthCheck.onFailure: rollback)');
    expect(log).toEqual(['open', 'confirm', 'beforeChange', 'phase', 'undo', 'end']);
    expect(events.find((e) => e.kind === 'phase')).toEqual({ kind: 'phase', ...sel, state: 'rolled_back' });
  });
});
