import { defineConformanceSuite } from '../conformance/suite.js'

defineConformanceSuite({ client: 'drizzle-pg', engine: 'pg' })
defineConformanceSuite({ client: 'drizzle-mysql', engine: 'mysql' })
