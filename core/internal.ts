/**
 * `rds-bluegreen/internal`: the building blocks the integrations share (options, registry, router, metadata
 * queries, channels' publishers, the coordinator's reducer). Explicitly unstable: any release may change it.
 * Applications import `rds-bluegreen` and the integration entries instead.
 *
 * @example
 * ```ts
 * import { acquireDeployment, resolveOptions } from 'rds-bluegreen/internal'
 * ```
 */

export * from './types.js'
export * from './phases.js'
export * from './errors.js'
export * from './options.js'
export type { StatusChannel, StatusChannelLease, StatusChannelListener } from './fleet/status-channel.js'
export * from './runtime.js'
export * from './host-names.js'
export * from './channels.js'
export * from './summary-log.js'
export type * from './metadata/source.js'
export type { MetadataDiagnosis, MetadataProblemKind, ServerFacts } from './metadata/diagnosis.js'
export * from './metadata/queries.js'
export { classifyStatusError } from './metadata/errors.js'
export type { StatusErrorKind } from './metadata/errors.js'
export { parseRows, deriveSidePhase } from './metadata/rows.js'
export { decideConnect, decideExecute, roleOf } from './routing/router.js'
export type { ExecuteContext, ExecuteDecision } from './routing/router.js'
export { routeConnect, holdExecute } from './routing/enforce.js'
export type { SnapshotSource } from './routing/enforce.js'
export { acquireDeployment, getStatus, activeDeployments, listDeployments } from './registry.js'
export type { DeploymentHandle, DeploymentInit, LiveDeployment } from './registry.js'
export { Coordinator, DELETION_DEBOUNCE_MS } from './coordinator.js'
export type { CoordinatorDeps } from './coordinator.js'
export { initialState, reduce } from './status/reducer.js'
export type * from './status/events.js'
export type { Cycle, Instant } from './status/cycle.js'
export type { TimelineEvent, TimelineEntry } from './status/phase-timeline.js'
export { summarize } from './status/summarize.js'
export type { Summary, SummaryInput } from './status/summarize.js'
