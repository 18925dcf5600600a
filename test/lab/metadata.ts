import type { LabSide } from './address-plan.js'
import type { MetadataRowSpec, MetadataStatus, SideMetadata } from './engine.js'
import type { LabNames, SideNames } from './names.js'

/**
 * How the fake RDS metadata behaves over a switchover (spec bluegreen-behaviour §2.3):
 * - `standard`: both sides carry both rows with the same status through COMPLETED; nothing disappears.
 * - `mysql-trace`: as standard, but at COMPLETED the SOURCE rows vanish and `emptyAfterMs` later the table is empty.
 * - `rds-pg-frozen`: at the cut, the old blue's metadata freezes (stays IN_PROGRESS) and the new writer's is deleted.
 * - `aurora-pg-deleted`: as standard, then `teardownAfterMs` after COMPLETED the metadata function raises AWS's error.
 * - `late-metadata`: no rows until `metadataAfterMs` after lab start (never, when that is null).
 * - `permission-denied`: standard rows, but the app user may not read them.
 */
export type MetadataProfile =
  'standard' | 'mysql-trace' | 'rds-pg-frozen' | 'aurora-pg-deleted' | 'late-metadata' | 'permission-denied'

export const METADATA_PROFILES: readonly MetadataProfile[] = [
  'standard',
  'mysql-trace',
  'rds-pg-frozen',
  'aurora-pg-deleted',
  'late-metadata',
  'permission-denied',
]

/** What one side's metadata currently says, before the profile turns it into rows. */
export interface SideMetadataState {
  readonly status: MetadataStatus
  /** After "green topology changed": TARGET rows carry the blue names, SOURCE rows the `-old1` names. */
  readonly renamed: boolean
  readonly visible: boolean
  readonly sourceGone: boolean
  readonly empty: boolean
  readonly failing: boolean
  /** rds-pg-frozen: the side no longer changes. */
  readonly frozen: boolean
}

export const INITIAL_SIDE_STATE: SideMetadataState = Object.freeze({
  status: 'AVAILABLE',
  renamed: false,
  visible: true,
  sourceGone: false,
  empty: false,
  failing: false,
  frozen: false,
})

/** A change the orchestrator makes; the profile decides what it does to each side. */
export type MetadataChange =
  | { readonly kind: 'status'; readonly status: MetadataStatus }
  | { readonly kind: 'renamed' }
  | { readonly kind: 'rollback' }
  | { readonly kind: 'completed-later' }
  | { readonly kind: 'visible' }
  | { readonly kind: 'hidden' }

/** Applies one change to one side under a profile. Pure, so it is easy to reason about. */
export function applyChange(
  profile: MetadataProfile,
  side: LabSide,
  state: SideMetadataState,
  change: MetadataChange,
): SideMetadataState {
  if (state.frozen) return state
  switch (change.kind) {
    case 'visible':
      return { ...state, visible: true }
    case 'hidden':
      return { ...state, visible: false }
    case 'rollback':
      return { ...state, status: 'AVAILABLE', renamed: false }
    case 'renamed':
      if (profile === 'rds-pg-frozen')
        return side === 'blue' ? { ...state, frozen: true } : { ...state, empty: true }
      return { ...state, renamed: true }
    case 'status':
      if (profile === 'mysql-trace' && change.status === 'SWITCHOVER_COMPLETED') {
        return { ...state, status: change.status, sourceGone: true }
      }
      return { ...state, status: change.status }
    case 'completed-later':
      if (profile === 'mysql-trace') return { ...state, empty: true }
      if (profile === 'aurora-pg-deleted') return { ...state, failing: true }
      return state
  }
}

function rowsFor(
  names: SideNames,
  port: number,
  role: MetadataRowSpec['role'],
  status: MetadataStatus,
  idBase: number,
) {
  return names.all.map((endpoint, i) => ({
    id: String(idBase + i),
    endpoint,
    port,
    role,
    status,
    version: '1.0',
  }))
}

/** Turns a side's state into the rows (or the error) its metadata source returns. */
export function renderSide(state: SideMetadataState, names: LabNames, port: number): SideMetadata {
  if (!state.visible || state.empty) return { rows: [], failing: state.failing }
  const source = state.renamed ? names.old : names.blue
  const target = state.renamed ? names.blue : names.green
  const rows = [
    ...(state.sourceGone ? [] : rowsFor(source, port, 'BLUE_GREEN_DEPLOYMENT_SOURCE', state.status, 1)),
    ...rowsFor(target, port, 'BLUE_GREEN_DEPLOYMENT_TARGET', state.status, 101),
  ]
  return { rows, failing: state.failing }
}
