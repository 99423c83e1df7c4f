// `alerts:` in switchyard.yaml (issue #20): the watcher's thresholds, with their defaults, and where alerts go.
// With the section present, apply, rollback, cutover and cutback run the watcher beside them.
import { z } from 'zod';
import { DEFAULT_THRESHOLDS as D } from '../watch/thresholds.js';

const positive = (description: string, fallback: number) =>
  z.coerce.number().positive().describe(description).default(fallback);

export const ALERTS_SCHEMA = z
  .object({
    intervalMs: z.coerce
      .number()
      .int()
      .min(100)
      .describe('how often the watcher samples the database(s), in ms (one query per database per sample)')
      .default(1000),
    lockWaitMs: positive(
      'alert when a session has waited on a lock longer than this, in ms; the alert names the blocking session',
      D.lockWaitMs,
    ),
    longTransactionS: positive('alert on a transaction open longer than this, in seconds', D.longTransactionS),
    idleInTransactionS: positive(
      'alert on a session idle inside a transaction longer than this, in seconds',
      D.idleInTransactionS,
    ),
    errorRatePerS: positive(
      "alert when transactions roll back faster than this per second (pg_stat_database; switchyard's own lock-timeout retries are not counted)",
      D.errorRatePerS,
    ),
    connectionRatio: z.coerce
      .number()
      .positive()
      .max(1)
      .describe('alert when client connections reach this share of max_connections - superuser_reserved_connections')
      .default(D.connectionRatio),
    lagBytes: z.coerce
      .number()
      .int()
      .positive()
      .describe('on a pair: alert when the subscriber is this many bytes of WAL behind (67108864 is 64 MiB)')
      .default(D.lagBytes),
    slotRetainedBytes: z.coerce
      .number()
      .int()
      .positive()
      .describe('on a pair: alert when a switchyard slot keeps this many bytes of WAL on disk (1073741824 is 1 GiB)')
      .default(D.slotRetainedBytes),
    phaseOverrunRatio: positive('alert when a phase has run longer than its estimate times this', D.phaseOverrunRatio),
    webhook: z
      .string()
      .url({ message: '`alerts.webhook` must be an http(s) URL' })
      .meta({
        description:
          'POST each alert and recovery as JSON (text, alert, state, severity, database, plan, phase, value, threshold, since)',
        examples: ['${ALERT_WEBHOOK_URL}'],
      })
      .optional(),
    command: z
      .string()
      .min(1)
      .meta({
        description: 'run this shell command per alert and recovery, the same JSON on its standard input',
        examples: ['./page-oncall.sh'],
      })
      .optional(),
    stderr: z.boolean().describe('print each alert and recovery on standard error').default(true),
  })
  .strict();

export type AlertsSettings = z.infer<typeof ALERTS_SCHEMA>;
