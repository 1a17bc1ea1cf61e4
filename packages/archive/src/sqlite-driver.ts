import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

/**
 * The SQLite driver, chosen by the Node-API version the running Node offers.
 *
 * better-sqlite3 up to 12 is built on `node::ObjectWrap`. From Node 24.19 on, its destructor
 * removes an environment cleanup hook and asserts that a JavaScript context is entered, which is
 * not so when V8 collects a statement or database during an idle garbage collection: the process
 * aborts (`Assertion failed: (env) != nullptr`, exit 134) at an arbitrary moment after some
 * queries (WiseLibs/better-sqlite3#1515, closed without a fix in 12.x). better-sqlite3 13 is a
 * Node-API addon and unaffected, but it needs Node-API 10, which Node 20 never got (on Node 20 it
 * crashes on load). So: Node-API 10 or later (Node 22.14+, 24) loads better-sqlite3 13, installed
 * under the alias `better-sqlite3-napi`; older runtimes (Node 20, Node 22.13) load 12, which has no
 * such hook there. The two share one API, typed by @types/better-sqlite3.
 */
const minimumNodeApiForVersion13 = 10;

const require = createRequire(import.meta.url);

function loadDriver(): typeof BetterSqlite3 {
  const nodeApi = Number(process.versions.napi ?? 0);
  return nodeApi >= minimumNodeApiForVersion13
    ? (require('better-sqlite3-napi') as typeof BetterSqlite3)
    : (require('better-sqlite3') as typeof BetterSqlite3);
}

/** The driver's `Database` class: `new SqliteDatabase(path, options)`. */
export const SqliteDatabase: typeof BetterSqlite3 = loadDriver();
export type SqliteDatabase = BetterSqlite3.Database;
export type SqliteStatement = BetterSqlite3.Statement;
export type SqliteOptions = BetterSqlite3.Options;
