import { EntitySchema } from 'typeorm'

/** A row of `bg_authors` (entities are EntitySchemas: no decorators, so no transpiler settings needed). */
export interface Author {
  id: number
  name: string
  books?: Book[]
}

/** A row of `bg_books`. */
export interface Book {
  id: number
  title: string
  year: number | null
  author?: Author
}

/**
 * `bg_authors` as an EntitySchema.
 *
 * @example
 * await dataSource.getRepository<Author>(AuthorSchema).save({ name: 'Ada' })
 */
export const AuthorSchema = new EntitySchema<Author>({
  name: 'Author',
  tableName: 'bg_authors',
  columns: {
    id: { type: Number, primary: true, generated: true },
    name: { type: String },
  },
  relations: { books: { type: 'one-to-many', target: 'Book', inverseSide: 'author' } },
})

/**
 * `bg_books` as an EntitySchema (many-to-one `author` through `author_id`).
 *
 * @example
 * await manager.save(BookSchema, { title: 'Notes', year: 1843, author })
 */
export const BookSchema = new EntitySchema<Book>({
  name: 'Book',
  tableName: 'bg_books',
  columns: {
    id: { type: Number, primary: true, generated: true },
    title: { type: String },
    year: { type: Number, nullable: true },
  },
  relations: {
    author: {
      type: 'many-to-one',
      target: 'Author',
      joinColumn: { name: 'author_id' },
      inverseSide: 'books',
    },
  },
})
