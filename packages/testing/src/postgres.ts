/**
 * The real PostgreSQL the tests use, reached as a superuser: RICOCHET_TEST_POSTGRES_URL, by default
 * the local server's `test` database (trust authentication).
 */
export function testPostgresUrl(): string {
  return process.env.RICOCHET_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
}
