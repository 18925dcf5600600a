import { blueGreenCodeOf } from '../../integrations/prisma/index.js'
import { defineConformanceSuite } from '../conformance/suite.js'
import { errorCode } from './clients/errors.js'

// Prisma wraps a failed raw query (P2010) around the adapter's error; blueGreenCodeOf() reads our code back out.
const codeOf = (err: unknown): string => blueGreenCodeOf(err) ?? errorCode(err)

defineConformanceSuite({ client: 'prisma-pg', engine: 'pg', codeOf })
defineConformanceSuite({ client: 'prisma-mysql', engine: 'mysql', codeOf })
