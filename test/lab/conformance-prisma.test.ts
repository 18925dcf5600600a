import { blueGreenCodeOf } from '../../integrations/prisma/index.js'
import { defineConformanceSuite } from '../conformance/suite.js'
import { errorCode } from './clients/errors.js'

// Prisma wraps a failed raw query (P2010) around the adapter's error; blueGreenCodeOf() reads our code back out.
const codeOf = (err: unknown): string => blueGreenCodeOf(err) ?? errorCode(err)

// Prisma's own cost per operation (query compiler, two round trips) comes on top of the hold: measured up to
// ~0.7 s for one op of 16 workers on this 2-core machine, so its bound is IN_PROGRESS + 1.5 s (drivers: + 1 s).
defineConformanceSuite({ client: 'prisma-pg', engine: 'pg', codeOf, holdSlackMs: 1500 })
defineConformanceSuite({ client: 'prisma-mysql', engine: 'mysql', codeOf, holdSlackMs: 1500 })
