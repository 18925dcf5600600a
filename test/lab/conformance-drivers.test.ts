import { defineConformanceSuite } from '../conformance/suite.js'

defineConformanceSuite({ client: 'pg', engine: 'pg' })
defineConformanceSuite({ client: 'mysql2', engine: 'mysql' })
