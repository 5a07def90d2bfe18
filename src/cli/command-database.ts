import type { Config } from '../config.js'
import { type Database, DatabaseInUseError, openDatabase } from '../platform/db/database.js'
import { migrateOnStart } from '../platform/db/migrate.js'

/**
 * The database for a command that writes to it, migrated as the app migrates it on start. While the app holds the
 * embedded database the command stops with a plain message: two writers would corrupt it.
 */
export async function openForCommand(config: Config): Promise<Database> {
  const database = await openDatabase(config.database).catch((error: unknown) => {
    if (error instanceof DatabaseInUseError) {
      console.error(error.message)
      process.exit(1)
    }
    throw error
  })
  try {
    await migrateOnStart(database, config.environment)
  } catch (error) {
    await database.close()
    throw error
  }
  return database
}
