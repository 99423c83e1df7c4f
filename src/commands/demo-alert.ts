// The demo's alert chapter (issue #20): release 1's expand runs with the watcher beside it while a second
// session (a "nightly report") holds a lock on public.users in an open transaction. The expand's ALTER TABLE waits,
// the watcher fires lock_wait naming the report's pid and query, the report is ended as soon as the alert
// arrives (never on a timer, so the demo is neither slow nor flaky), and the recovery follows.
import pg from 'pg';
import { ALERTS_SCHEMA } from '../config/alerts.js';
import type { SwitchyardConfig } from '../config/config.js';
import type { Sink } from '../watch/delivery.js';
import { applyCommand, type ApplyResult } from './apply.js';
import { withWatch } from './watch.js';

/** Runs `phase` of `release` with a blocker on public.users; returns the result and the alert lines seen. */
export async function applyWithBlocker(
  config: SwitchyardConfig,
  plan: string,
  release: number,
): Promise<{ result: ApplyResult; alerts: string[] }> {
  const report = new pg.Client({ connectionString: config.database, application_name: 'nightly-report' });
  report.on('error', () => undefined);
  await report.connect();
  let ended: Promise<unknown> | undefined;
  const endReport = () => (ended ??= report.query('COMMIT').catch(() => undefined));
  // A cap in case the alert never comes: the executor's lock_timeout and retries would carry on anyway.
  const cap = setTimeout(endReport, 10_000);
  cap.unref();
  const alerts: string[] = [];
  const sink: Sink = {
    name: 'demo',
    deliver: async (n) => {
      alerts.push(n.state === 'firing' ? n.text : `[switchyard resolved] ${n.alert} (fired ${n.since})`);
      if (n.alert === 'lock_wait' && n.state === 'firing') void endReport();
    },
  };
  try {
    await report.query('BEGIN');
    await report.query('SELECT count(*) FROM public.users /* nightly report */');
    const result = (await withWatch(
      { ...config, alerts: ALERTS_SCHEMA.parse({ intervalMs: 100, lockWaitMs: 300, stderr: false }) },
      { plan, sinks: [sink] },
      (onEvent) => applyCommand(config, { plan, release, phase: 'expand', onEvent }),
    )) as ApplyResult;
    return { result, alerts };
  } finally {
    clearTimeout(cap);
    await endReport();
    await report.end().catch(() => undefined);
  }
}
