export * from './node-postgres.js'
export * from './mysql2.js'
export type { BlueGreenSettings } from '../shared/config-types.js'
