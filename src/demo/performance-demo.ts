import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Database } from '../platform/db/database.js'
import { importPoliceFile } from '../modules/performance/police-import.js'

/** The real police.uk files the project shares (../shared/data/police-uk): five months of Leicestershire and others. */
export const DEMO_POLICE_FILES = fileURLToPath(new URL('../../../shared/data/police-uk/', import.meta.url))

/**
 * Loads the shared police.uk files into an empty database so the dashboards have real figures to show. Without the
 * shared folder (a machine with only this repository) the dashboards start empty and say so.
 */
export async function seedPerformanceDemonstration(database: Database, folder = DEMO_POLICE_FILES): Promise<number> {
  if (!existsSync(folder)) return 0
  const loaded = await database.db.selectFrom('police_files').select('id').limit(1).executeTakeFirst()
  if (loaded) return 0
  const files = readdirSync(folder).filter((name) => name.endsWith('.csv')).sort()
  for (const name of files) {
    const file = path.join(folder, name)
    await importPoliceFile(database, { fileName: name, stream: createReadStream(file), totalBytes: statSync(file).size })
  }
  return files.length
}
