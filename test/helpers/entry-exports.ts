import ts from 'typescript'

/** The package's entry points (package.json `exports`) and their source modules. */
export const ENTRY_SOURCES = {
  '.': 'core/index.ts',
  './internal': 'core/internal.ts',
  './pg': 'integrations/pg/index.ts',
  './mysql2': 'integrations/mysql2/index.ts',
  './knex': 'integrations/knex/index.ts',
  './prisma': 'integrations/prisma/index.ts',
  './typeorm': 'integrations/typeorm/index.ts',
  './drizzle': 'integrations/drizzle/index.ts',
  './sequelize': 'integrations/sequelize/index.ts',
  './kysely': 'integrations/kysely/index.ts',
  './mikro-orm': 'integrations/mikro-orm/index.ts',
  './otel': 'integrations/otel/index.ts',
  './redis': 'integrations/redis/index.ts',
} as const

export type Entry = keyof typeof ENTRY_SOURCES

/**
 * The names each entry exports, values and types apart, as the TypeScript checker sees them (so `export *`
 * and type-only exports count too). Sorted.
 */
export function entryExports(): Record<Entry, { values: string[]; types: string[] }> {
  const config = ts.getParsedCommandLineOfConfigFile(
    'tsconfig.build.json',
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'))
      },
    },
  )
  if (config === undefined) throw new Error('tsconfig.build.json is unreadable')
  const files = Object.values(ENTRY_SOURCES)
  const program = ts.createProgram(files, { ...config.options, noEmit: true })
  const checker = program.getTypeChecker()
  const result = {} as Record<Entry, { values: string[]; types: string[] }>
  for (const [entry, file] of Object.entries(ENTRY_SOURCES) as [Entry, string][]) {
    const source = program.getSourceFile(file)
    const symbol = source === undefined ? undefined : checker.getSymbolAtLocation(source)
    if (symbol === undefined) throw new Error(`${file} is not a module`)
    const values: string[] = []
    const types: string[] = []
    for (const exported of checker.getExportsOfModule(symbol)) {
      const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
      ;(target.flags & ts.SymbolFlags.Value ? values : types).push(exported.name)
    }
    result[entry] = { values: values.sort(), types: types.sort() }
  }
  return result
}
