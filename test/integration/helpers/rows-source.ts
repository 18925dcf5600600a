import type { MetadataConnection, MetadataSource, RawMetadataRow } from '../../../core/metadata/source.js'
import type { Phase } from '../../../core/types.js'
import { row } from '../../helpers/fake-metadata.js'

/** An in-memory metadata source whose rows a test sets; counts the monitoring connections opened. */
export class RowsSource implements MetadataSource {
  readonly name = 'rows'
  rows: readonly RawMetadataRow[] = []
  opened = 0
  closed = 0

  constructor(
    readonly blue: string,
    readonly green: string,
    readonly port: number,
  ) {}

  setPhase(phase: Phase): void {
    this.rows =
      phase === 'NOT_CREATED'
        ? []
        : [row(this.blue, 'SOURCE', phase, this.port), row(this.green, 'TARGET', phase, this.port)]
  }

  connect(): Promise<MetadataConnection> {
    this.opened++
    let open = true
    return Promise.resolve({
      readStatus: () => Promise.resolve({ kind: 'rows' as const, rows: this.rows }),
      isOpen: () => open,
      close: () => {
        if (open) this.closed++
        open = false
        return Promise.resolve()
      },
    })
  }
}
