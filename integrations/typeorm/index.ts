export * from './data-source-options.js'
