// The PostgreSQL server's side of the test databases, without vitest: test/global-setup.ts runs outside a test worker.
import pg from 'pg'

/** The server the suite runs against when TEST_DATABASE_URL is set (CI runs both). */
export const serverUrl = process.env.TEST_DATABASE_URL

/** Each test file's database on the server is named with this and the time it was made (test/global-setup.ts sweeps). */
export const TEST_DATABASE_PREFIX = 'scp_test_'
/** The migrated database that test databases on the server are copied from. */
export const TEMPLATE_PREFIX = 'scp_template_'

/** A statement on the server's maintenance connection (creating and dropping databases). */
export async function adminQuery<Row = unknown>(text: string, params: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: serverUrl })
  await client.connect()
  try {
    return (await client.query(text, params)).rows as Row[]
  } finally {
    await client.end()
  }
}

/** The address of one database on the test server. */
export function serverDatabaseUrl(name: string): string {
  const url = new URL(serverUrl!)
  url.pathname = `/${name}`
  return url.toString()
}
