export * from './module.js'
export { pgModule as default } from './module.js'
