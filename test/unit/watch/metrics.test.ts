// The Prometheus text format as renderMetrics writes it: HELP and TYPE before the samples, label values escaped.
import { describe, expect, it } from 'vitest';
import { renderMetrics } from '../../../src/watch/metrics.js';

describe('renderMetrics', () => {
  it('writes HELP, TYPE and samples, escaping label values and help text', () => {
    expect(
      renderMetrics([
        {
          name: 'switchyard_replication_lag_bytes',
          help: 'lag\\nin bytes',
          type: 'gauge',
          samples: [
            { labels: { database: 'postgres://a:***@h/d', slot: 'x"y\\z\nw' }, value: 42 },
            { value: Number.NaN },
            { value: Number.POSITIVE_INFINITY },
          ],
        },
      ]),
    ).toBe(
      [
        '# HELP switchyard_replication_lag_bytes lag\\\\nin bytes',
        '# TYPE switchyard_replication_lag_bytes gauge',
        'switchyard_replication_lag_bytes{database="postgres://a:***@h/d",slot="x\\"y\\\\z\\nw"} 42',
        'switchyard_replication_lag_bytes NaN',
        'switchyard_replication_lag_bytes +Inf',
        '',
      ].join('\n'),
    );
  });
});
