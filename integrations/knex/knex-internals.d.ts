// knex ships no types for its dialect modules; the integration only needs them as `Knex.Client` subclasses.
declare module 'knex/lib/dialects/postgres/index.js' {
  import type { Knex } from 'knex'
  const ClientPG: typeof Knex.Client
  export default ClientPG
}

declare module 'knex/lib/dialects/mysql2/index.js' {
  import type { Knex } from 'knex'
  const ClientMySQL2: typeof Knex.Client
  export default ClientMySQL2
}
