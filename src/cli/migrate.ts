import { ConfigError, loadConfig } from '../config.js'
import { openDatabase } from '../platform/db/database.js'
import { migrate } from '../platform/db/migrate.js'

try {
  const config = loadConfig()
  const database = await openDatabase(config.database)
  try {
    const { applied } = await migrate(database)
    console.log(applied.length ? `Applied ${applied.length} migration(s):\n${applied.map((name) => `  ${name}`).join('\n')}` : 'The database is up to date.')
  } finally {
    await database.close()
  }
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error)
  process.exit(1)
}
