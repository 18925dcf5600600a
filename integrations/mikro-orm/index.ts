export type { BlueGreenSettings } from '../shared/config-types.js'
export * from './postgresql.js'
