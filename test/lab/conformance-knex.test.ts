import { defineConformanceSuite } from '../conformance/suite.js'

defineConformanceSuite({ client: 'knex-pg', engine: 'pg' })
defineConformanceSuite({ client: 'knex-mysql', engine: 'mysql' })
