import path from 'node:path'
import { ConfigError, loadConfig } from '../config.js'
import { openForCommand } from './command-database.js'
import { SYSTEM_ACTOR } from '../modules/audit/audit.events.js'
import { auditRepository } from '../modules/audit/audit.repository.js'
import { auditService } from '../modules/audit/audit.service.js'
import { BoundaryError, loadBoundaries, readBoundaryFolder } from '../modules/performance/geography.js'
import { errorKindText } from '../platform/http/logging.js'

/** Loads (or reloads) the partnership's boundaries from ONS files, and places crimes already imported by them. */
const USAGE = `Usage: npm run load:boundaries -- <folder>

The folder is laid out as reference/geo is: a districts CSV with LADCD and LADNM columns, and lsoa11/, lsoa21/
and ward/ folders of GeoJSON files.`

const [folder, ...rest] = process.argv.slice(2)
if (!folder || rest.length || folder === '--help' || folder === '-h') {
  console.error(USAGE)
  process.exit(2)
}

const count = (value: number) => value.toLocaleString('en-GB')

try {
  const config = loadConfig()
  const set = readBoundaryFolder(path.resolve(folder))
  const database = await openForCommand(config)
  try {
    const summary = await loadBoundaries(database, set)
    await auditService(auditRepository(database.db)).record(SYSTEM_ACTOR, { action: 'boundaries.loaded', details: { ...summary, source: path.basename(path.resolve(folder)) } })
    console.log(`Loaded ${count(summary.districts)} districts, ${count(summary.wards)} wards and ${count(summary.lsoas)} LSOAs (2011 and 2021 together).`)
    console.log(summary.crimesRelocated ? `${count(summary.crimesRelocated)} police.uk crimes already imported are now counted in a different district, or in one of ours where they were outside our areas before.` : 'No police.uk crimes already imported changed district.')
  } finally {
    await database.close()
  }
} catch (error) {
  if (error instanceof ConfigError) console.error(error.message)
  else if (error instanceof BoundaryError) console.error(`The boundaries could not be loaded: ${error.message}. Nothing was changed.`)
  else if (error instanceof SyntaxError) console.error(`The boundaries could not be loaded: a GeoJSON file is not valid JSON (${error.message}). Nothing was changed.`)
  else console.error(`The boundaries could not be loaded: ${errorKindText(error)}`)
  process.exit(1)
}
