export * from './module.js'
export { mysql2Module as default } from './module.js'
