import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics'
import type { DataPoint, MetricData, ResourceMetrics } from '@opentelemetry/sdk-metrics'

/** An SDK meter provider whose metrics land in memory, collected every `intervalMs` and on `flush()`. */
export interface MetricsHarness {
  readonly provider: MeterProvider
  /** Collects now; resolves with every export so far, oldest first. */
  flush(): Promise<readonly ResourceMetrics[]>
  /** The data points of metric `name` in one export. */
  points(exported: ResourceMetrics, name: string): DataPoint<unknown>[]
  shutdown(): Promise<void>
}

/**
 * The OpenTelemetry SDK with its in-memory exporter (cumulative temporality, as most pipelines use).
 *
 * @example
 * ```ts
 * const otel = metricsHarness()
 * const unregister = registerBlueGreenMetrics(otel.provider)
 * const exports = await otel.flush()
 * ```
 */
export function metricsHarness(intervalMs = 60_000): MetricsHarness {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
  const reader = new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: intervalMs,
    exportTimeoutMillis: Math.min(intervalMs, 30_000),
  })
  const provider = new MeterProvider({ readers: [reader] })
  const metric = (exported: ResourceMetrics, name: string): MetricData | undefined =>
    exported.scopeMetrics.flatMap((scope) => scope.metrics).find((m) => m.descriptor.name === name)
  return {
    provider,
    flush: async () => {
      await reader.forceFlush()
      return exporter.getMetrics()
    },
    points: (exported, name) => metric(exported, name)?.dataPoints ?? [],
    shutdown: () => provider.shutdown(),
  }
}
