export { AwsBgPg } from './pg.js'
export { AwsBgMysql } from './mysql2.js'
export type { BlueGreenKnexConfig } from './blue-green-client.js'
export type { BlueGreenSettings } from '../shared/config-types.js'
