import type { LabSide } from './address-plan.js'
import type { LabEngine } from './engine.js'
import {
  applyChange,
  INITIAL_SIDE_STATE,
  renderSide,
  type MetadataChange,
  type MetadataProfile,
  type SideMetadataState,
} from './metadata.js'
import type { LabNames } from './names.js'

/** Keeps both sides' metadata state and writes it to the servers whenever a change alters it. */
export interface MetadataController {
  readonly profile: MetadataProfile
  apply(change: MetadataChange, sides?: readonly LabSide[]): Promise<void>
  state(side: LabSide): SideMetadataState
}

export function createMetadataController(
  engine: LabEngine,
  profile: MetadataProfile,
  names: LabNames,
  port: number,
): MetadataController {
  const hidden = profile === 'late-metadata'
  const states: Record<LabSide, SideMetadataState> = {
    blue: { ...INITIAL_SIDE_STATE, visible: !hidden },
    green: { ...INITIAL_SIDE_STATE, visible: !hidden },
  }
  const write = async (side: LabSide): Promise<void> => {
    await engine.writeMetadata(side, renderSide(states[side], names, port))
    if (names.topology === 'aurora') {
      const naming = states[side].renamed ? (side === 'blue' ? 'old' : 'blue') : side
      await engine.setServerId(side, names.serverIds[naming], names.readerServerIds[naming])
    }
  }
  return {
    profile,
    async apply(change, sides = ['blue', 'green']) {
      await Promise.all(
        sides.map(async (side) => {
          const next = applyChange(profile, side, states[side], change)
          if (next === states[side]) return
          states[side] = next
          await write(side)
        }),
      )
    },
    state: (side) => states[side],
  }
}

/** Writes the initial (CREATED) metadata on both sides. */
export async function initMetadata(ctl: MetadataController): Promise<void> {
  await ctl.apply({ kind: 'rollback' })
}
