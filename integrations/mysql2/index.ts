export * from './module.js'
export { mysqlModule as default } from './module.js'
