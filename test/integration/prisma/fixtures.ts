import mysql from 'mysql2/promise'
import pg from 'pg'

/** Scratch database of the Prisma tests, on both local servers; created and dropped by the tests. */
export const SCRATCH = 'bg_prisma_diff'
export const PG_ADMIN = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' } as const
export const MY_ADMIN = { host: '127.0.0.1', port: 3306, user: 'root', password: '' } as const
export const PG_SCRATCH = { ...PG_ADMIN, database: SCRATCH } as const
export const MY_SCRATCH = { ...MY_ADMIN, database: SCRATCH } as const

// The tables of diff-*.prisma. `zf` is ZEROFILL on MySQL (Prisma cannot declare it; read through raw queries).
const MYSQL_DDL = [
  'DROP TABLE IF EXISTS post, author, sample',
  `CREATE TABLE sample (id INT AUTO_INCREMENT PRIMARY KEY, label VARCHAR(64) NOT NULL UNIQUE, i32 INT NULL,
    u32 INT UNSIGNED NULL, i64 BIGINT NULL, f64 DOUBLE NULL, num DECIMAL(65,30) NULL, txt TEXT NULL,
    flag TINYINT(1) NULL, ts DATETIME(3) NULL, day DATE NULL, tod TIME(3) NULL, doc JSON NULL, bin LONGBLOB NULL,
    mood ENUM('HAPPY','SAD') NULL, zf INT(5) UNSIGNED ZEROFILL NULL)`,
  'CREATE TABLE author (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(64) NOT NULL UNIQUE)',
  `CREATE TABLE post (id INT AUTO_INCREMENT PRIMARY KEY, title VARCHAR(128) NOT NULL, views INT NOT NULL DEFAULT 0,
    author_id INT NOT NULL, CONSTRAINT post_author_fk FOREIGN KEY (author_id) REFERENCES author(id))`,
]

const PG_DDL = [
  'DROP TABLE IF EXISTS post, author, sample',
  'DROP TYPE IF EXISTS "Mood"',
  `CREATE TYPE "Mood" AS ENUM ('HAPPY', 'SAD')`,
  `CREATE TABLE sample (id SERIAL PRIMARY KEY, label VARCHAR(64) NOT NULL UNIQUE, i32 INT, u32 BIGINT, i64 BIGINT,
    f64 DOUBLE PRECISION, num DECIMAL(65,30), txt TEXT, flag BOOLEAN, ts TIMESTAMP(3), day DATE, tod TIME(3),
    doc JSONB, bin BYTEA, mood "Mood", zf INT)`,
  'CREATE TABLE author (id SERIAL PRIMARY KEY, name VARCHAR(64) NOT NULL UNIQUE)',
  `CREATE TABLE post (id SERIAL PRIMARY KEY, title VARCHAR(128) NOT NULL, views INT NOT NULL DEFAULT 0,
    author_id INT NOT NULL REFERENCES author(id))`,
]

/** Creates the MySQL scratch database if needed and (re)creates its tables, so each run starts from id 1. */
export async function resetMysqlScratch(): Promise<void> {
  const admin = await mysql.createConnection(MY_ADMIN)
  try {
    await admin.query(`CREATE DATABASE IF NOT EXISTS ${SCRATCH}`)
    await admin.query(`USE ${SCRATCH}`)
    for (const sql of MYSQL_DDL) await admin.query(sql)
  } finally {
    await admin.end()
  }
}

/** Creates the PostgreSQL scratch database if needed and (re)creates its tables. */
export async function resetPgScratch(): Promise<void> {
  const admin = new pg.Client(PG_ADMIN)
  await admin.connect()
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [SCRATCH])
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${SCRATCH}`)
  } finally {
    await admin.end()
  }
  const scratch = new pg.Client(PG_SCRATCH)
  await scratch.connect()
  try {
    for (const sql of PG_DDL) await scratch.query(sql)
  } finally {
    await scratch.end()
  }
}

/** Drops both scratch databases (other sessions on the PG one are terminated first). */
export async function dropScratch(): Promise<void> {
  const admin = await mysql.createConnection(MY_ADMIN)
  await admin.query(`DROP DATABASE IF EXISTS ${SCRATCH}`).finally(() => admin.end())
  const pgAdmin = new pg.Client(PG_ADMIN)
  await pgAdmin.connect()
  try {
    await pgAdmin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [
      SCRATCH,
    ])
    await pgAdmin.query(`DROP DATABASE IF EXISTS ${SCRATCH}`)
  } finally {
    await pgAdmin.end()
  }
}
