// The Prometheus text format as renderMetrics has prom-client write it: HELP and TYPE before the samples, label
// values and help text escaped, one gauge per metric.
import { describe, expect, it } from 'vitest';
import { renderMetrics } from '../../../src/watch/metrics.js';

describe('renderMetrics', () => {
  it('writes HELP, TYPE and samples, escaping label values and help text', async () => {
    expect(
      await renderMetrics([
        {
          name: 'switchyard_replication_lag_bytes',
          help: 'lag\\nin bytes',
          samples: [{ labels: { database: 'postgres://a:***@h/d', slot: 'x"y\\z\nw' }, value: 42 }, { value: 7 }],
        },
        { name: 'switchyard_window_used_ratio', help: 'time used', samples: [{ value: Number.POSITIVE_INFINITY }] },
      ]),
    ).toBe(
      [
        '# HELP switchyard_replication_lag_bytes lag\\\\nin bytes',
        '# TYPE switchyard_replication_lag_bytes gauge',
        'switchyard_replication_lag_bytes{database="postgres://a:***@h/d",slot="x\\"y\\\\z\\nw"} 42',
        'switchyard_replication_lag_bytes 7',
        '',
        '# HELP switchyard_window_used_ratio time used',
        '# TYPE switchyard_window_used_ratio gauge',
        'switchyard_window_used_ratio +Inf',
        '',
      ].join('\n'),
    );
  });
});
