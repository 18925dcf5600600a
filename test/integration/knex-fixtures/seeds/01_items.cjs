/** A knex seed, run by the knex compatibility test. */
exports.seed = async (knex) => {
  await knex('bg_knex_items').del()
  await knex('bg_knex_items').insert([
    { name: 'apple', qty: 3 },
    { name: 'pear', qty: 5 },
  ])
}
