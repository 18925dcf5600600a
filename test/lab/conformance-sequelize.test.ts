import { defineConformanceSuite } from '../conformance/suite.js'

defineConformanceSuite({ client: 'sequelize-pg', engine: 'pg' })
defineConformanceSuite({ client: 'sequelize-mysql', engine: 'mysql' })
