/**
 * One Prisma model suite, run unchanged through several adapters: every scalar type with edge values, nulls,
 * relations and nested writes, interactive and batch transactions, raw queries, aggregates and groupBy, and
 * the errors Prisma reports. It returns every output, normalised to plain JSON, so two runs can be deep-equal
 * compared. The tables must be fresh (ids from 1): see fixtures.ts.
 */

type Args = Record<string, unknown>

/** The slice of a generated client's model delegate the suite calls. */
interface Delegate {
  create(args: Args): Promise<unknown>
  createMany(args: Args): Promise<unknown>
  findUnique(args: Args): Promise<unknown>
  findFirst(args?: Args): Promise<unknown>
  findMany(args?: Args): Promise<unknown[]>
  update(args: Args): Promise<unknown>
  updateMany(args: Args): Promise<unknown>
  upsert(args: Args): Promise<unknown>
  delete(args: Args): Promise<unknown>
  deleteMany(args?: Args): Promise<unknown>
  count(args?: Args): Promise<unknown>
  aggregate(args: Args): Promise<unknown>
  groupBy(args: Args): Promise<unknown>
}

/** The slice of a generated `PrismaClient` the suite calls (the client is imported dynamically, once generated). */
export interface PrismaLike {
  readonly sample: Delegate
  readonly author: Delegate
  readonly post: Delegate
  $transaction(
    arg: readonly Promise<unknown>[] | ((tx: PrismaLike) => Promise<unknown>),
    options?: Args,
  ): Promise<unknown>
  $queryRaw(strings: TemplateStringsArray, ...values: unknown[]): Promise<unknown>
  $executeRaw(strings: TemplateStringsArray, ...values: unknown[]): Promise<number>
  $queryRawUnsafe(sql: string, ...values: unknown[]): Promise<unknown>
  $disconnect(): Promise<void>
}

export type Provider = 'mysql' | 'postgres'

export const EDGE = {
  label: 'edge',
  i32: -2147483648,
  u32: 4294967295,
  i64: 9007199254740993n, // 2^53 + 1
  f64: 3.141592653589793,
  num: '12345678901234567890.123456789012345678901234567890',
  txt: `héllo ☃ 'quoted' "double" \\ back;slash`,
  flag: true,
  ts: new Date('2024-02-29T23:59:59.123Z'),
  day: new Date('2024-02-29T00:00:00.000Z'),
  tod: new Date('1970-01-01T13:14:15.678Z'),
  doc: { a: [1, { b: null, c: 'x' }], nested: { deep: { n: 1.5, t: true } } },
  bin: new Uint8Array([0, 1, 0, 255, 0]),
  mood: 'HAPPY',
  zf: 42,
} as const

const MAX = {
  label: 'max',
  i32: 2147483647,
  u32: 0,
  i64: 9223372036854775807n,
  f64: -0.5,
  num: '-0.000000000000000000000000000001',
  txt: '',
  flag: false,
  ts: new Date('1970-01-01T00:00:01.001Z'),
  day: new Date('1970-01-01T00:00:00.000Z'),
  tod: new Date('1970-01-01T00:00:00.000Z'),
  doc: 'just a string',
  bin: new Uint8Array([]),
  mood: 'SAD',
  zf: 7,
} as const

const NULLS = {
  label: 'nulls',
  i32: null,
  u32: null,
  i64: null,
  f64: null,
  num: null,
  txt: null,
  flag: null,
  ts: null,
  day: null,
  tod: null,
  bin: null,
  mood: null,
  zf: null,
} as const

/** Runs the suite and returns `{ step: output }`; a step that throws records the error's code and message. */
export async function runModelSuite(
  prisma: PrismaLike,
  provider: Provider,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {}
  const step = async (name: string, fn: () => Promise<unknown>): Promise<void> => {
    try {
      out[name] = normalize(await fn())
    } catch (err) {
      out[name] = { error: describeError(err) }
    }
  }
  const u32 = (n: number): number | bigint => (provider === 'postgres' ? BigInt(n) : n)
  const { sample, author, post } = prisma

  // scalars: create, read back, filter, update
  await step('create.edge', () => sample.create({ data: { ...EDGE, u32: u32(EDGE.u32) } }))
  await step('create.max', () => sample.create({ data: { ...MAX, u32: u32(MAX.u32) } }))
  await step('create.nulls', () => sample.create({ data: NULLS }))
  await step('findUnique.edge', () => sample.findUnique({ where: { label: 'edge' } }))
  await step('findMany.all', () => sample.findMany({ orderBy: { id: 'asc' } }))
  await step('filter.bigint', () =>
    sample.findMany({ where: { i64: { gt: 9007199254740992n } }, select: { label: true } }),
  )
  await step('filter.bigint.exact', () => sample.count({ where: { i64: 9007199254740992n } }))
  await step('filter.decimal', () =>
    sample.findMany({ where: { num: { gt: '0' } }, select: { label: true, num: true } }),
  )
  await step('filter.datetime', () =>
    sample.findMany({
      where: { ts: { gte: new Date('2024-02-29T23:59:59.123Z') } },
      select: { label: true },
    }),
  )
  await step('filter.date', () =>
    sample.findMany({ where: { day: new Date('2024-02-29') }, select: { label: true } }),
  )
  await step('filter.bytes', () => sample.findMany({ where: { bin: EDGE.bin }, select: { id: true } }))
  await step('filter.enum', () =>
    sample.findMany({ where: { mood: { in: ['SAD'] } }, select: { label: true } }),
  )
  await step('filter.null', () => sample.findMany({ where: { i32: null }, select: { label: true } }))
  await step('filter.text', () =>
    sample.findMany({ where: { txt: { contains: '☃' } }, select: { label: true } }),
  )
  await step('update.increment', () =>
    sample.update({
      where: { label: 'edge' },
      data: { i32: { increment: 1 }, i64: { increment: 1 }, f64: { multiply: 2 } },
    }),
  )
  await step('update.json+bytes', () =>
    sample.update({
      where: { label: 'max' },
      data: {
        doc: { list: [1, 2, 3], obj: { k: 'v' } },
        bin: new Uint8Array([255, 0, 255]),
        tod: new Date('1970-01-01T23:59:59.999Z'),
      },
    }),
  )
  await step('update.toNull', () =>
    sample.update({
      where: { label: 'max' },
      data: { txt: null, num: null },
      select: { txt: true, num: true },
    }),
  )
  await step('upsert.create', () =>
    sample.upsert({
      where: { label: 'ups' },
      create: { label: 'ups', i32: 1 },
      update: { i32: { increment: 1 } },
    }),
  )
  await step('upsert.update', () =>
    sample.upsert({
      where: { label: 'ups' },
      create: { label: 'ups', i32: 1 },
      update: { i32: { increment: 1 } },
    }),
  )
  await step('createMany', () =>
    sample.createMany({
      data: [1, 2, 3].map((n) => ({ label: `m${n}`, i32: n, f64: n / 4, mood: n % 2 ? 'HAPPY' : 'SAD' })),
    }),
  )
  await step('updateMany', () =>
    sample.updateMany({ where: { label: { startsWith: 'm' } }, data: { flag: true } }),
  )

  // aggregates
  await step('count', () => sample.count())
  await step('aggregate', () =>
    sample.aggregate({
      _sum: { i32: true, num: true },
      _avg: { f64: true },
      _min: { ts: true, i64: true },
      _max: { ts: true, i64: true },
      _count: { _all: true, mood: true },
    }),
  )
  await step('groupBy', () =>
    sample.groupBy({ by: ['mood'], _count: { _all: true }, _sum: { i32: true }, orderBy: { mood: 'asc' } }),
  )

  // relations and nested writes
  await step('nested.create', () =>
    author.create({
      data: { name: 'ada', posts: { create: [{ title: 'one', views: 3 }, { title: 'two' }] } },
      include: { posts: { orderBy: { id: 'asc' } } },
    }),
  )
  await step('connect', () =>
    post.create({
      data: { title: 'three', author: { connect: { name: 'ada' } } },
      include: { author: true },
    }),
  )
  await step('connectOrCreate', () =>
    post.create({
      data: {
        title: 'four',
        author: { connectOrCreate: { where: { name: 'bob' }, create: { name: 'bob' } } },
      },
    }),
  )
  await step('nested.update', () =>
    author.update({
      where: { name: 'ada' },
      data: {
        posts: { updateMany: { where: { views: 0 }, data: { views: 10 } }, deleteMany: { title: 'three' } },
      },
      include: { posts: { orderBy: { id: 'asc' } }, _count: { select: { posts: true } } },
    }),
  )
  await step('relation.filter', () =>
    author.findMany({
      where: { posts: { some: { views: { gte: 10 } } } },
      select: { name: true, posts: { select: { title: true } } },
    }),
  )
  await step('relation.orderByCount', () =>
    author.findMany({ orderBy: { posts: { _count: 'desc' } }, select: { name: true } }),
  )

  // transactions
  await step('tx.interactive', () =>
    prisma.$transaction(
      async (tx) => {
        const a = (await tx.author.findUnique({ where: { name: 'bob' } })) as { id: number }
        await tx.post.create({ data: { title: 'in-tx', authorId: a.id } })
        return tx.post.count({ where: { authorId: a.id } })
      },
      { isolationLevel: 'Serializable' },
    ),
  )
  await step('tx.rollback', () =>
    prisma.$transaction(async (tx) => {
      await tx.post.create({ data: { title: 'rolled-back', author: { connect: { name: 'bob' } } } })
      throw new Error('roll back please')
    }),
  )
  await step('tx.rollback.check', () => post.count({ where: { title: 'rolled-back' } }))
  await step('tx.readCommitted', () =>
    prisma.$transaction(async (tx) => tx.sample.count(), { isolationLevel: 'ReadCommitted' }),
  )
  await step('tx.batch', () =>
    prisma.$transaction([
      post.create({ data: { title: 'batch', author: { connect: { name: 'ada' } } } }),
      post.updateMany({ where: { title: 'batch' }, data: { views: 5 } }),
      post.count(),
    ]),
  )

  // raw queries
  await step(
    'raw.select',
    () =>
      prisma.$queryRaw`SELECT id, label, i32, u32, i64, f64, num, txt, flag, ts, day, tod, doc, bin, mood, zf FROM sample WHERE label IN (${'edge'}, ${'nulls'}) ORDER BY id`,
  )
  await step('raw.zerofill', () =>
    provider === 'mysql'
      ? prisma.$queryRaw`SELECT zf, CAST(zf AS CHAR) AS zf_text FROM sample WHERE label = ${'edge'}`
      : prisma.$queryRaw`SELECT zf, lpad(zf::text, 5, '0') AS zf_text FROM sample WHERE label = ${'edge'}`,
  )
  await step(
    'raw.params',
    () =>
      prisma.$queryRaw`SELECT ${1} AS a, ${9007199254740993n} AS b, ${'text'} AS c, ${true} AS d, ${EDGE.ts} AS e`,
  )
  await step(
    'raw.aggregate',
    () => prisma.$queryRaw`SELECT count(*) AS n, sum(i32) AS s, max(i64) AS m FROM sample`,
  )
  await step(
    'raw.execute',
    () => prisma.$executeRaw`UPDATE post SET views = views + ${1} WHERE title LIKE ${'t%'}`,
  )
  await step('raw.unsafe', () => prisma.$queryRawUnsafe('SELECT title, views FROM post ORDER BY id'))

  // errors as Prisma reports them
  await step('error.unique', () => sample.create({ data: { label: 'edge' } }))
  await step('error.fk', () => post.create({ data: { title: 'orphan', authorId: 999999 } }))
  await step('error.notFound', () => sample.update({ where: { label: 'nope' }, data: { i32: 1 } }))
  await step('error.raw', () =>
    provider === 'mysql'
      ? prisma.$executeRaw`INSERT INTO post (title, views, author_id) VALUES (NULL, 0, 1)`
      : prisma.$executeRaw`INSERT INTO post (title, views, author_id) VALUES (NULL, 0, 1)`,
  )

  // deletes
  await step('delete', () => post.delete({ where: { id: 1 } }))
  await step('deleteMany', () => post.deleteMany({ where: { views: { lt: 100 } } }))
  await step('final', () =>
    sample.findMany({ orderBy: { id: 'asc' }, select: { label: true, i32: true, i64: true } }),
  )
  return out
}

/** An error as the suite records it: what an application sees (name, Prisma code, message). */
function describeError(err: unknown): unknown {
  if (!(err instanceof Error)) return String(err)
  const code = (err as { code?: unknown }).code
  return { name: err.name, code, message: err.message.trim().split('\n').at(-1) }
}

/** Plain JSON: bigint → `123n`, Date → ISO, bytes → number array, Decimal → its text. */
export function normalize(value: unknown): unknown {
  if (value === null || value === undefined) return value
  if (typeof value === 'bigint') return `${value}n`
  if (value instanceof Date) return value.toISOString()
  if (value instanceof Uint8Array) return Array.from(value)
  if (Array.isArray(value)) return value.map(normalize)
  if (typeof value === 'object') {
    if (value.constructor.name.startsWith('Decimal'))
      return `decimal:${(value as { toString(): string }).toString()}`
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]))
  }
  return value
}
