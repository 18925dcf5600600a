export * from './pg.js'
export * from './mysql.js'
