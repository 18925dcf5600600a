import { defineConformanceSuite } from '../conformance/suite.js'

defineConformanceSuite({ client: 'kysely-pg', engine: 'pg' })
defineConformanceSuite({ client: 'kysely-mysql', engine: 'mysql' })
