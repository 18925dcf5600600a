import { describe, expect, it } from 'vitest'
import { Printer } from '../../cli/output.js'
import { WatchView } from '../../cli/watch-view.js'
import { STARTING } from '../../core/status/armed.js'
import type { BlueGreenSnapshot } from '../../core/types.js'

function view(tty: boolean, json: boolean): { view: WatchView; text: () => string } {
  let text = ''
  const stdout = Object.assign({ write: (chunk: string) => ((text += chunk), true) }, { isTTY: tty })
  const printer = new Printer({
    stdout: stdout as unknown as NodeJS.WritableStream,
    stderr: stdout as unknown as NodeJS.WritableStream,
  })
  return { view: new WatchView(printer, json), text: () => text }
}

const snapshot = {
  phase: 'IN_PROGRESS',
  rollback: false,
  blueDnsUpdated: true,
  greenDnsRemoved: false,
  armed: STARTING,
}

describe('watch output', () => {
  it('JSON: offsets count from IN_PROGRESS, truncated like the summary, null before it', () => {
    const { view: v, text } = view(false, true)
    const t0 = performance.now()
    v.emit({ event: 'phase', phase: 'PREPARATION', previous: 'CREATED', rollback: false }, t0)
    v.emit({ event: 'phase', phase: 'IN_PROGRESS', previous: 'PREPARATION', rollback: false }, t0 + 300.4)
    v.emit({ event: 'dns', name: 'Blue DNS updated' }, t0 + 1_000.9)
    const events = text()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(events.map((e) => e.offsetMs)).toEqual([null, 0, 700])
    expect(events[2]).toMatchObject({ event: 'dns', name: 'Blue DNS updated' })
    expect(typeof events[2].at).toBe('string')
  })

  it('a terminal gets a live status line, cleared before each event line; a pipe gets none', () => {
    const tty = view(true, false)
    tty.view.status(snapshot as unknown as BlueGreenSnapshot)
    tty.view.emit({ event: 'warning', message: 'careful' })
    const clear = '\r\u001b[2K'
    const [status, line] = tty
      .text()
      .split(clear)
      .filter((part) => part !== '')
    expect(tty.text().startsWith(clear)).toBe(true)
    expect(status).toBe('IN_PROGRESS  blue DNS updated  green DNS present  not armed (starting)')
    expect(line).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}warning: careful\n$/)
    const pipe = view(false, false)
    pipe.view.status(snapshot as unknown as BlueGreenSnapshot)
    expect(pipe.text()).toBe('')
    expect(pipe.view.live).toBe(false)
  })
})
