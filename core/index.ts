/**
 * The public, semver-stable entry of rds-bluegreen: what an application needs beside its integration
 * (`rds-bluegreen/pg`, `/mysql2`, `/knex`, `/prisma`, `/typeorm`, `/drizzle`, `/sequelize`, `/kysely`,
 * `/mikro-orm`, `/otel`). Everything else the integrations
 * share lives behind `rds-bluegreen/internal`, which may change in any release. README, section "API", lists
 * exactly these names; test/unit/exports.test.ts pins them.
 *
 * @example
 * ```ts
 * import { getStatus, isBlueGreenError } from 'rds-bluegreen'
 * console.log(getStatus('orders')?.phase)
 * ```
 */

export {
  BlueGreenError,
  isBlueGreenError,
  BlueGreenConfigError,
  BlueGreenSwitchoverTimeoutError,
  BlueGreenCorrespondingHostNotFoundError,
  BlueGreenConnectRejectedError,
  BlueGreenReadOnlyError,
  BlueGreenTransactionInterruptedError,
  BlueGreenHoldAbortedError,
} from './errors.js'
export type { BlueGreenErrorCode } from './errors.js'
export { getStatus } from './registry.js'
export type { BlueGreenSnapshot, Role, ArmedState, ArmedCode, ArmedPair } from './types.js'
export { PHASES, isActivePhase } from './phases.js'
export type { Phase } from './phases.js'
export { CHANNELS } from './channels.js'
export type {
  PhaseEvent,
  HoldEvent,
  SubstituteEvent,
  RejectEvent,
  EvictEvent,
  ArmedEvent,
  DbSystem,
} from './channels.js'
export type { BlueGreenOptions } from './options.js'
export type { Logger } from './runtime.js'
export { formatSwitchoverSummary } from './summary-log.js'
export type { SwitchoverSummaryInput, SummaryRow } from './summary-log.js'
