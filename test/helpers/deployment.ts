import { Coordinator } from '../../core/coordinator.js'
import { resolveOptions } from '../../core/options.js'
import type { BlueGreenOptions } from '../../core/options.js'
import type { Logger } from '../../core/runtime.js'
import { FakeClock } from './fake-clock.js'
import type { FakeWorld } from './fake-metadata.js'
import { BLUE } from './fake-metadata.js'

/** A logger that keeps every line, for assertions. */
export class MemoryLogger implements Logger {
  readonly lines: { level: string; message: string }[] = []
  debug(message: string): void {
    this.lines.push({ level: 'debug', message })
  }
  info(message: string): void {
    this.lines.push({ level: 'info', message })
  }
  warn(message: string): void {
    this.lines.push({ level: 'warn', message })
  }
  error(message: string): void {
    this.lines.push({ level: 'error', message })
  }
  find(fragment: string): string[] {
    return this.lines.filter((l) => l.message.includes(fragment)).map((l) => l.message)
  }
}

/** A coordinator over a fake world, on a fake clock, with fast test intervals. */
export function startCoordinator(
  world: FakeWorld,
  options: BlueGreenOptions = {},
  initialHost = { host: BLUE, port: 5432 },
): { coordinator: Coordinator; clock: FakeClock; logger: MemoryLogger } {
  const clock = new FakeClock()
  const logger = new MemoryLogger()
  const coordinator = new Coordinator({
    options: resolveOptions(
      { bgBaselineMs: 60_000, bgIncreasedMs: 1000, bgHighMs: 100, ...options },
      () => undefined,
    ),
    source: world,
    initialHost,
    resolver: world,
    clock,
    logger,
  })
  coordinator.start()
  return { coordinator, clock, logger }
}
