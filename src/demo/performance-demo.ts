import { existsSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Database } from '../platform/db/database.js'
import { SYSTEM_ACTOR } from '../modules/audit/audit.events.js'
import type { PoliceImportsService } from '../modules/performance/police-imports.service.js'

/** The real police.uk files the project shares (../shared/data/police-uk): five months of Leicestershire and others. */
export const DEMO_POLICE_FILES = fileURLToPath(new URL('../../../shared/data/police-uk/', import.meta.url))

/**
 * Loads the shared police.uk files into an empty database so the dashboards have real figures to show, through the
 * same import as an analyst's upload (checked, and audited as the application's). Without the shared folder (a
 * machine with only this repository) the dashboards start empty and say so. Returns the number of files imported.
 */
export async function seedPerformanceDemonstration(database: Database, imports: PoliceImportsService, folder = DEMO_POLICE_FILES): Promise<number> {
  if (!existsSync(folder)) return 0
  const loaded = await database.db.selectFrom('police_files').select('id').limit(1).executeTakeFirst()
  if (loaded) return 0
  let imported = 0
  for (const fileName of readdirSync(folder).filter((name) => name.endsWith('.csv')).sort()) {
    const file = path.join(folder, fileName)
    const outcome = await imports.importFile(SYSTEM_ACTOR, { fileName, path: file, size: statSync(file).size })
    if (outcome.status === 'imported') imported++
  }
  return imported
}
