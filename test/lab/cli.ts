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
  [--readers N] [--unfenced] [--rollback] [--in-progress-visible-ms N] [--json]
  --readers: Aurora PG reader instances per side (default 1 with --topology aurora on pg, else 0)`

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
  const topology = oneOf<LabTopology>('topology', values.topology, ['rds-instance', 'aurora'], 'rds-instance')
  const readers = Number(values.readers ?? (topology === 'aurora' && engine === 'pg' ? 1 : 0))
  const result = await runScenario({
    engine,
    readers,
    preset: oneOf('preset', values.preset, Object.keys(PRESETS) as PresetName[], 'default'),
    client: values.client ?? (engine === 'pg' ? 'plain-pg' : 'plain-mysql2'),
    workers: Number(values.workers ?? 4),
    topology,
    profile: oneOf<MetadataProfile>('profile', values.profile, METADATA_PROFILES, 'standard'),
    blockMode: oneOf<BlockMode>('block-mode', values['block-mode'], ['hold', 'refuse', 'blackhole'], 'hold'),
    readOnlyOldBlue: values.unfenced !== true,
    ...(values.rollback === true ? { rollbackAt: 'IN_PROGRESS' as const } : {}),
    ...(visible === undefined ? {} : { timeline: { inProgressVisibleMs: Number(visible) } }),
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
