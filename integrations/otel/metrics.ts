import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { metrics } from '@opentelemetry/api'
import type { Attributes, MeterProvider, ObservableResult } from '@opentelemetry/api'
import { CHANNELS } from '../../core/channels.js'
import type { DbSystem, EvictEvent, HoldEvent, RejectEvent, SubstituteEvent } from '../../core/channels.js'
import { LIBRARY_VERSION } from '../../core/metadata/queries.js'
import { PHASE_ORDER } from '../../core/phases.js'
import { listDeployments } from '../../core/registry.js'

/**
 * OpenTelemetry metrics built on the library's `node:diagnostics_channel` events: nothing is subscribed, so
 * nothing is recorded, until {@link registerBlueGreenMetrics} is called, and its dispose function unsubscribes
 * everything again. Attribute names follow OpenTelemetry's semantic conventions where one applies
 * (`db.system.name`, `server.address`, `network.peer.address`); the others are namespaced `rds_bluegreen.*`.
 */

/** Hold durations: from a blink to the 30 s default hold timeout and beyond. */
const HOLD_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000]

/** Attributes every instrument carries. */
function deployment(event: { readonly bgdId: string; readonly dbSystem?: DbSystem }): Attributes {
  return event.dbSystem === undefined
    ? { 'rds_bluegreen.bgd_id': event.bgdId }
    : { 'rds_bluegreen.bgd_id': event.bgdId, 'db.system.name': event.dbSystem }
}

/**
 * Registers the library's instruments on `meterProvider` (default: the global one from `@opentelemetry/api`)
 * and returns the function that unregisters them. See README, "Metrics", for the instruments.
 *
 * @example
 * ```ts
 * import { registerBlueGreenMetrics } from 'rds-bluegreen/otel'
 * const unregister = registerBlueGreenMetrics(meterProvider)
 * // ... at shutdown
 * unregister()
 * ```
 */
export function registerBlueGreenMetrics(
  meterProvider: MeterProvider = metrics.getMeterProvider(),
): () => void {
  const meter = meterProvider.getMeter('rds-bluegreen', LIBRARY_VERSION)
  const holds = meter.createCounter('rds_bluegreen.holds', {
    description:
      'Connects and calls held during a switchover, counted when the hold ends (by kind and outcome)',
    unit: '{hold}',
  })
  const activeHolds = meter.createUpDownCounter('rds_bluegreen.holds.active', {
    description: 'Connects and calls held right now',
    unit: '{hold}',
  })
  const holdDuration = meter.createHistogram('rds_bluegreen.hold.duration', {
    description: 'How long a connect or call was held',
    unit: 'ms',
    advice: { explicitBucketBoundaries: HOLD_BUCKETS_MS },
  })
  const substitutions = meter.createCounter('rds_bluegreen.substitutions', {
    description: 'New connections sent to another address (the captured blue IP, or the green counterpart)',
    unit: '{connection}',
  })
  const rejections = meter.createCounter('rds_bluegreen.rejections', {
    description: 'New connections refused (a green name after the green hosts were renamed)',
    unit: '{connection}',
  })
  const evictions = meter.createCounter('rds_bluegreen.evictions', {
    description: 'Open connections taken out of use (read-only old blue, interrupted transaction)',
    unit: '{connection}',
  })
  const phase = meter.createObservableGauge('rds_bluegreen.phase', {
    description:
      'Published phase: 0 NOT_CREATED, 1 CREATED, 2 PREPARATION, 3 IN_PROGRESS, 4 POST, 5 COMPLETED',
  })
  const armed = meter.createObservableGauge('rds_bluegreen.armed', {
    description: 'Switchover protection armed (1) or not (0); rds_bluegreen.armed.code says why not',
  })

  const onHoldStart = (message: unknown): void => {
    const event = message as HoldEvent
    activeHolds.add(1, { ...deployment(event), 'rds_bluegreen.hold.kind': event.kind })
  }
  const onHoldEnd = (message: unknown): void => {
    const event = message as HoldEvent
    const kind = { ...deployment(event), 'rds_bluegreen.hold.kind': event.kind }
    activeHolds.add(-1, kind)
    const attributes = {
      ...kind,
      'rds_bluegreen.hold.outcome': event.outcome ?? 'released',
      'server.address': event.host,
    }
    holds.add(1, attributes)
    if (event.durationMs !== undefined) holdDuration.record(event.durationMs, attributes)
  }
  const onSubstitute = (message: unknown): void => {
    const event = message as SubstituteEvent
    substitutions.add(1, {
      ...deployment(event),
      'server.address': event.host,
      'network.peer.address': event.address,
      'rds_bluegreen.phase': event.phase,
    })
  }
  const onReject = (message: unknown): void => {
    const event = message as RejectEvent
    rejections.add(1, {
      ...deployment(event),
      'server.address': event.host,
      'rds_bluegreen.phase': event.phase,
    })
  }
  const onEvict = (message: unknown): void => {
    const event = message as EvictEvent
    evictions.add(1, {
      ...deployment(event),
      'server.address': event.host,
      'rds_bluegreen.evict.reason': event.reason,
    })
  }
  const observePhase = (result: ObservableResult): void => {
    for (const live of listDeployments()) {
      result.observe(PHASE_ORDER[live.snapshot.phase], {
        ...deployment({
          bgdId: live.bgdId,
          ...(live.dbSystem === undefined ? {} : { dbSystem: live.dbSystem }),
        }),
        'rds_bluegreen.rollback': live.snapshot.rollback,
      })
    }
  }
  const observeArmed = (result: ObservableResult): void => {
    for (const live of listDeployments()) {
      const { armed: on, code } = live.snapshot.armed
      result.observe(on ? 1 : 0, {
        ...deployment({
          bgdId: live.bgdId,
          ...(live.dbSystem === undefined ? {} : { dbSystem: live.dbSystem }),
        }),
        'rds_bluegreen.armed.code': code,
      })
    }
  }

  const subscriptions: [string, (message: unknown) => void][] = [
    [CHANNELS.holdStart, onHoldStart],
    [CHANNELS.holdEnd, onHoldEnd],
    [CHANNELS.substitute, onSubstitute],
    [CHANNELS.reject, onReject],
    [CHANNELS.evict, onEvict],
  ]
  for (const [name, listener] of subscriptions) subscribe(name, listener)
  phase.addCallback(observePhase)
  armed.addCallback(observeArmed)
  let registered = true
  return () => {
    if (!registered) return
    registered = false
    for (const [name, listener] of subscriptions) unsubscribe(name, listener)
    phase.removeCallback(observePhase)
    armed.removeCallback(observeArmed)
  }
}
