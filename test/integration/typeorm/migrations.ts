import type { MigrationInterface, QueryRunner } from 'typeorm'

/** Hand-written SQL migrations for the TypeORM compatibility tests, one pair of statements per engine. */
const SQL = {
  pg: {
    up: [
      'CREATE TABLE bg_authors (id serial PRIMARY KEY, name varchar NOT NULL)',
      'CREATE TABLE bg_books (id serial PRIMARY KEY, title varchar NOT NULL, year int, author_id int REFERENCES bg_authors(id))',
    ],
    down: ['DROP TABLE bg_books', 'DROP TABLE bg_authors'],
  },
  mysql: {
    up: [
      'CREATE TABLE bg_authors (id int AUTO_INCREMENT PRIMARY KEY, name varchar(255) NOT NULL)',
      'CREATE TABLE bg_books (id int AUTO_INCREMENT PRIMARY KEY, title varchar(255) NOT NULL, year int NULL, author_id int NULL, FOREIGN KEY (author_id) REFERENCES bg_authors(id))',
    ],
    down: ['DROP TABLE bg_books', 'DROP TABLE bg_authors'],
  },
} as const

/**
 * The migration class for `engine` (TypeORM takes classes; the timestamp suffix orders them).
 *
 * @example
 * new DataSource({ ...options, migrations: [createTablesMigration('pg')] })
 */
export function createTablesMigration(engine: keyof typeof SQL): new () => MigrationInterface {
  return class CreateTables1767225600000 implements MigrationInterface {
    name = 'CreateTables1767225600000'

    async up(runner: QueryRunner): Promise<void> {
      for (const statement of SQL[engine].up) await runner.query(statement)
    }

    async down(runner: QueryRunner): Promise<void> {
      for (const statement of SQL[engine].down) await runner.query(statement)
    }
  }
}
