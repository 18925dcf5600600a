import { defineConformanceSuite } from '../conformance/suite.js'

defineConformanceSuite({ client: 'typeorm-pg', engine: 'pg' })
defineConformanceSuite({ client: 'typeorm-mysql', engine: 'mysql' })
