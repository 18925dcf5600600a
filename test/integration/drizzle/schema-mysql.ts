import { relations } from 'drizzle-orm'
import { int, mysqlTable, varchar } from 'drizzle-orm/mysql-core'

/**
 * The tables `mysql-migrations` creates, for the Drizzle compatibility tests.
 *
 * @example
 * await db.insert(authors).values({ name: 'Ada' })
 */
export const authors = mysqlTable('bg_authors', {
  id: int('id').autoincrement().primaryKey(),
  name: varchar('name', { length: 255 }).notNull(),
})

export const books = mysqlTable('bg_books', {
  id: int('id').autoincrement().primaryKey(),
  authorId: int('author_id')
    .notNull()
    .references(() => authors.id),
  title: varchar('title', { length: 255 }).notNull(),
  year: int('year'),
})

export const authorsRelations = relations(authors, ({ many }) => ({ books: many(books) }))
export const booksRelations = relations(books, ({ one }) => ({
  author: one(authors, { fields: [books.authorId], references: [authors.id] }),
}))
