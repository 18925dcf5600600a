/** A knex migration, run by the knex compatibility test through AwsBgPg and AwsBgMysql. */
exports.up = (knex) =>
  knex.schema.createTable('bg_knex_items', (t) => {
    t.increments('id')
    t.string('name').notNullable()
    t.integer('qty').notNullable().defaultTo(0)
  })

exports.down = (knex) => knex.schema.dropTable('bg_knex_items')
