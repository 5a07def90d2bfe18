import { ConfigError, loadConfig } from '../config.js'
import { openDatabase } from '../platform/db/database.js'
import { migrate } from '../platform/db/migrate.js'
import { AppRoleError, grantAppRole } from '../platform/db/roles.js'

try {
  const config = loadConfig()
  const database = await openDatabase(config.database)
  try {
    const { applied } = await migrate(database)
    console.log(applied.length ? `Applied ${applied.length} migration(s):\n${applied.map((name) => `  ${name}`).join('\n')}` : 'The database is up to date.')
    if (config.database.kind === 'postgres' && config.database.appUrl) {
      console.log(`The app's role ${await grantAppRole(database, config.database.appUrl)} may read and change rows, and only read and add audit entries.`)
    }
  } finally {
    await database.close()
  }
} catch (error) {
  console.error(error instanceof ConfigError || error instanceof AppRoleError ? error.message : error)
  process.exit(1)
}
