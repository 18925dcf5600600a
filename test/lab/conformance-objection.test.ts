import { defineConformanceSuite } from '../conformance/suite.js'

defineConformanceSuite({ client: 'objection-pg', engine: 'pg' })
