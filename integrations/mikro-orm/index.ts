export * from './postgresql.js'
