export type { BlueGreenSettings } from '../shared/config-types.js'
export * from './pg.js'
export * from './mysql.js'
