export * from './options.js'
export * from './pg-module.js'
export * from './mysql-module.js'
export type * from './types.js'
