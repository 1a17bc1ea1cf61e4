// Run as its own process by the SQLite driver test: prepares, uses and drops many statements, as
// the archive's statement cache does when list filters vary, then closes the database and keeps
// allocating so that V8 collects them. With better-sqlite3 12 on Node 24.19+ the process aborted
// here (exit 134, `Assertion failed: (env) != nullptr`).
import { SqliteDatabase } from '@ricochet/archive/sqlite-driver';

const database = new SqliteDatabase(':memory:');
database.exec('CREATE TABLE t (a, b)');
for (let index = 0; index < 50_000; index += 1) {
  database.prepare(`SELECT a FROM t WHERE b = ${index}`).all();
}
database.close();
const garbage: string[] = [];
for (let index = 0; index < 20_000; index += 1) {
  garbage.push(`${index}`.repeat(100));
}
await new Promise((resolve) => setTimeout(resolve, 100));
process.stdout.write(`survived ${garbage.length}`);
