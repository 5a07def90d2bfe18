import { existsSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import cliProgress from 'cli-progress'
import { ConfigError, loadConfig } from '../config.js'
import { openForCommand } from './command-database.js'
import { SYSTEM_ACTOR } from '../modules/audit/audit.events.js'
import { auditRepository } from '../modules/audit/audit.repository.js'
import { auditService } from '../modules/audit/audit.service.js'
import { policeImportsRepository } from '../modules/performance/police-imports.repository.js'
import { type FileOutcome, type PoliceFileOnDisk, policeImportsService } from '../modules/performance/police-imports.service.js'
import { monthLabel } from '../modules/performance/periods.js'

/**
 * Imports police.uk street-level crime files from the command line, each whole or not at all, one after another.
 * Exit code 0 when every file was imported, 1 when any was refused, 2 when the command was not used correctly.
 */
const USAGE = `Usage: npm run import:police -- <file or folder> [more files or folders]

Imports police.uk street-level crime files, such as 2019-01-leicestershire-street.csv, downloaded from
https://data.police.uk/data/. A folder is searched for .csv files, subfolders included. Importing a force's
month again replaces what was imported for it before.`

const count = (value: number) => value.toLocaleString('en-GB')
const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toLocaleString('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 })} MB`

function usageError(message: string): never {
  console.error(`${message}\n\n${USAGE}`)
  process.exit(2)
}

/** The files named, and every .csv file in the folders named (subfolders too), each folder's in name order. */
function filesToImport(args: string[]): PoliceFileOnDisk[] {
  const files: string[] = []
  for (const arg of args) {
    if (!existsSync(arg)) usageError(`There is no file or folder ${arg}`)
    if (!statSync(arg).isDirectory()) {
      files.push(arg)
      continue
    }
    const found = readdirSync(arg, { recursive: true, encoding: 'utf8' })
      .filter((name) => /\.csv$/i.test(name))
      .map((name) => path.join(arg, name))
      .filter((file) => statSync(file).isFile())
      .sort()
    if (!found.length) usageError(`There are no .csv files in ${arg}`)
    files.push(...found)
  }
  return files.map((file) => ({ fileName: path.basename(file), path: file, size: statSync(file).size }))
}

function describe(file: PoliceFileOnDisk, outcome: FileOutcome, seconds: number): string {
  if (outcome.status === 'rejected') return `Refused  ${outcome.error}`
  const result = outcome.result
  const speed = `${seconds.toLocaleString('en-GB', { maximumFractionDigits: 1 })} s, ${count(Math.round(result.rows / Math.max(seconds, 0.001)))} rows/s`
  const lines = [
    `Imported ${file.fileName}: ${result.force}, ${monthLabel(result.month)}: ${count(result.rows)} rows (${count(result.inArea)} in our areas, ${count(result.outsideArea)} outside our areas, ${count(result.noLocation)} with no location); ${result.replacedRows === null ? 'new' : `replaced ${count(result.replacedRows)} rows imported before`}. ${speed}.`,
    ...result.mappedLabels.map((mapped) => `         ${mapped.label} counted as ${mapped.crimeType}: ${count(mapped.rows)}`),
  ]
  return lines.join('\n')
}

const args = process.argv.slice(2)
if (!args.length || args.some((arg) => arg === '--help' || arg === '-h')) usageError(args.length ? 'Import police.uk files.' : 'Name the files or folders to import.')
const files = filesToImport(args)

let config
try {
  config = loadConfig()
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error)
  process.exit(1)
}

const database = await openForCommand(config)
const outcomes: { file: PoliceFileOnDisk; outcome: FileOutcome }[] = []
try {
  const imports = policeImportsService({ database, audit: auditService(auditRepository(database.db)), imports: policeImportsRepository(database.db), uploadDir: config.uploadDir })
  const log = { error: (details: Record<string, unknown>, message: string) => console.error(`${message}: ${[details.error, details.code].filter(Boolean).join(' ')}`) }
  const boundaries = await imports.boundariesReady(SYSTEM_ACTOR)
  if (boundaries) console.log(`Loaded the partnership's boundaries: ${count(boundaries.districts)} districts, ${count(boundaries.wards)} wards, ${count(boundaries.lsoas)} LSOAs.`)

  const interactive = Boolean(process.stdout.isTTY)
  for (const file of files) {
    let outcome: FileOutcome
    const started = performance.now()
    if (interactive) {
      const bar = new cliProgress.SingleBar(
        { format: '{file} |{bar}| {percentage}% | {read} of {size} | {rate} rows/s', hideCursor: true, clearOnComplete: true, barsize: 30 },
        cliProgress.Presets.shades_classic,
      )
      bar.start(file.size, 0, { file: file.fileName, read: megabytes(0), size: megabytes(file.size), rate: '0' })
      outcome = await imports.importFile(SYSTEM_ACTOR, file, {
        log,
        onProgress: ({ bytesRead, linesRead }) =>
          bar.update(bytesRead, { read: megabytes(bytesRead), rate: count(Math.round(linesRead / Math.max(0.001, (performance.now() - started) / 1000))) }),
      })
      bar.stop()
    } else {
      outcome = await imports.importFile(SYSTEM_ACTOR, file, { log })
    }
    outcomes.push({ file, outcome })
    console.log(describe(file, outcome, (performance.now() - started) / 1000))
  }
} finally {
  await database.close()
}

const refused = outcomes.filter(({ outcome }) => outcome.status === 'rejected')
const imported = outcomes.length - refused.length
console.log(`\n${count(imported)} ${imported === 1 ? 'file' : 'files'} imported${refused.length ? `, ${count(refused.length)} refused. Nothing of a refused file was saved:` : '.'}`)
for (const { outcome } of refused) if (outcome.status === 'rejected') console.log(`  ${outcome.error}`)
process.exit(refused.length ? 1 : 0)
