export * from './node-postgres.js'
export * from './mysql2.js'
