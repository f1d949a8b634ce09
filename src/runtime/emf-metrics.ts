import { Metrics as PowertoolsMetrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE } from '../usecases/bot-metrics.js';
import type { CountMetric, DecisionDimensions, DurationMetric } from '../usecases/bot-metrics.js';
import type { Metrics } from '../usecases/ports.js';

/**
 * The `Metrics` port over Powertools Metrics: CloudWatch Embedded Metric Format lines on stdout, which Lambda's log
 * delivery turns into metrics (no PutMetricData call, no extra permission). Plain counts are stored and written
 * once per invocation by `flush`; a count with decision dimensions is written at once as a metric of its own,
 * because one EMF line has one dimension set.
 */
export class EmfMetrics implements Metrics {
  private readonly metrics: PowertoolsMetrics;

  constructor(options: { serviceName?: string } = {}) {
    this.metrics = new PowertoolsMetrics({
      namespace: METRICS_NAMESPACE,
      serviceName: options.serviceName ?? process.env['POWERTOOLS_SERVICE_NAME'] ?? 'cspm-bot',
    });
  }

  count(name: CountMetric, n: number, dimensions?: DecisionDimensions): void {
    if (!dimensions) {
      this.metrics.addMetric(name, MetricUnit.Count, n);
      return;
    }
    const single = this.metrics.singleMetric();
    single.addDimensions({ kind: dimensions.kind, outcome: dimensions.outcome });
    single.addMetric(name, MetricUnit.Count, n);
  }

  duration(name: DurationMetric, ms: number): void {
    this.metrics.addMetric(name, MetricUnit.Milliseconds, ms);
  }

  /** Writes what the invocation stored; call at the end of every handler, also when it failed. */
  flush(): void {
    if (this.metrics.hasStoredMetrics()) this.metrics.publishStoredMetrics();
  }
}
