export * from './data-source-options.js'
export type { BlueGreenSettings } from '../shared/config-types.js'
