import { parseArgs } from 'node:util'
import type { LabEngineName } from './address-plan.js'
import { LabError } from './errors.js'
import { METADATA_PROFILES, type MetadataProfile } from './metadata.js'
import type { LabTopology } from './names.js'
import { PRESETS, type PresetName } from './presets.js'
import type { BlockMode } from './proxy.js'
import { formatScenario, scenarioJson } from './report.js'
import { runScenario } from './scenario.js'

const USAGE = `usage: npm run lab -- --engine pg|mysql [--preset fast|default|realistic|trace-0.1x] [--client NAME]
  [--workers N] [--topology rds-instance|aurora] [--profile NAME] [--block-mode hold|refuse|blackhole]
  [--readers N] [--unfenced] [--rollback] [--in-progress-visible-ms N] [--green-renamed-at-ms N]
  [--metadata-at IN_PROGRESS+MS|POST+MS] [--pool-size N] [--json]
  --readers: Aurora PG reader instances per side (default 1 with --topology aurora on pg, else 0)
  --metadata-at (profile late-metadata): the rows first appear MS after that phase starts
  --green-renamed-at-ms: the green rename, counted from POST (default: at the cut, inside IN_PROGRESS)`

function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback
  if (!(allowed as readonly string[]).includes(value)) {
    throw new LabError('BAD_OPTION', `--${name} must be one of ${allowed.join(', ')}`)
  }
  return value as T
}

/** `IN_PROGRESS+300` → the rows of a late-metadata lab first appear 300 ms into IN_PROGRESS. */
function parseMetadataAt(
  value: string | undefined,
  profile: MetadataProfile,
): { phase: 'IN_PROGRESS' | 'POST'; afterMs: number } | undefined {
  if (value === undefined) return undefined
  const match = /^(IN_PROGRESS|POST)\+(\d+)$/.exec(value)
  if (match === null || profile !== 'late-metadata') {
    throw new LabError(
      'BAD_OPTION',
      '--metadata-at takes IN_PROGRESS+MS or POST+MS, with --profile late-metadata',
    )
  }
  return { phase: match[1] as 'IN_PROGRESS' | 'POST', afterMs: Number(match[2]) }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      engine: { type: 'string' },
      preset: { type: 'string' },
      client: { type: 'string' },
      workers: { type: 'string' },
      topology: { type: 'string' },
      readers: { type: 'string' },
      profile: { type: 'string' },
      'block-mode': { type: 'string' },
      'in-progress-visible-ms': { type: 'string' },
      'green-renamed-at-ms': { type: 'string' },
      'metadata-at': { type: 'string' },
      'pool-size': { type: 'string' },
      unfenced: { type: 'boolean' },
      rollback: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  })
  if (values.help === true) {
    console.log(USAGE)
    return
  }
  const engine = oneOf<LabEngineName>('engine', values.engine, ['pg', 'mysql'], 'pg')
  const visible = values['in-progress-visible-ms']
  const renamed = values['green-renamed-at-ms']
  const profile = oneOf<MetadataProfile>('profile', values.profile, METADATA_PROFILES, 'standard')
  const metadataAt = parseMetadataAt(values['metadata-at'], profile)
  const timeline = {
    ...(visible === undefined ? {} : { inProgressVisibleMs: Number(visible) }),
    ...(renamed === undefined ? {} : { greenRenamedAtMs: Number(renamed) }),
  }
  const poolSize = values['pool-size']
  const topology = oneOf<LabTopology>('topology', values.topology, ['rds-instance', 'aurora'], 'rds-instance')
  const readers = Number(values.readers ?? (topology === 'aurora' && engine === 'pg' ? 1 : 0))
  const result = await runScenario({
    engine,
    readers,
    preset: oneOf('preset', values.preset, Object.keys(PRESETS) as PresetName[], 'default'),
    client: values.client ?? (engine === 'pg' ? 'plain-pg' : 'plain-mysql2'),
    workers: Number(values.workers ?? 4),
    topology,
    profile,
    ...(poolSize === undefined ? {} : { poolSize: Number(poolSize) }),
    ...(metadataAt === undefined ? {} : { metadataVisibleAt: metadataAt, lab: { metadataAfterMs: null } }),
    blockMode: oneOf<BlockMode>('block-mode', values['block-mode'], ['hold', 'refuse', 'blackhole'], 'hold'),
    readOnlyOldBlue: values.unfenced !== true,
    ...(values.rollback === true ? { rollbackAt: 'IN_PROGRESS' as const } : {}),
    ...(Object.keys(timeline).length === 0 ? {} : { timeline }),
  })
  console.log(values.json === true ? JSON.stringify(scenarioJson(result)) : formatScenario(result))
}

// Some clients (the AWS wrapper) keep the event loop alive after end(); the CLI exits explicitly.
main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err))
    console.error(USAGE)
    process.exit(1)
  },
)
