import { relations } from 'drizzle-orm'
import { integer, pgTable, serial, text } from 'drizzle-orm/pg-core'

/**
 * The tables `pg-migrations` creates, for the Drizzle compatibility tests.
 *
 * @example
 * await db.insert(authors).values({ name: 'Ada' })
 */
export const authors = pgTable('bg_authors', {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
})

export const books = pgTable('bg_books', {
  id: serial('id').primaryKey(),
  authorId: integer('author_id')
    .notNull()
    .references(() => authors.id),
  title: text('title').notNull(),
  year: integer('year'),
})

export const authorsRelations = relations(authors, ({ many }) => ({ books: many(books) }))
export const booksRelations = relations(books, ({ one }) => ({
  author: one(authors, { fields: [books.authorId], references: [authors.id] }),
}))
