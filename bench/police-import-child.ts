/**
 * Imports one police.uk file in a process of its own, so its peak memory is the import's: prints one line of JSON
 * with the rows, the time, the peak resident set size (maxRSS, KB) before and after the import, and the RSS sampled
 * during it.
 * Usage: tsx bench/police-import-child.ts <file.csv>
 * Database: BENCH_CHILD_DATABASE_URL (a PostgreSQL server) if set, else BENCH_CHILD_PGLITE_DIR (PGlite on disk), else
 * PGlite in memory.
 */
import { createReadStream, statSync } from 'node:fs'
import path from 'node:path'
import { sql } from 'kysely'
import type { DatabaseTarget } from '../src/config.js'
import { ensureBoundaries } from '../src/modules/performance/geography.js'
import { importPoliceFile } from '../src/modules/performance/police-import.js'
import { openDatabase } from '../src/platform/db/database.js'
import { migrate } from '../src/platform/db/migrate.js'

const file = process.argv[2]
if (!file) throw new Error('Usage: tsx bench/police-import-child.ts <file.csv>')
const url = process.env.BENCH_CHILD_DATABASE_URL
const dir = process.env.BENCH_CHILD_PGLITE_DIR
const target: DatabaseTarget = url ? { kind: 'postgres', url } : dir ? { kind: 'pglite', dataDir: dir } : { kind: 'pglite-memory' }

const database = await openDatabase(target)
await migrate(database)
await ensureBoundaries(database)
const maxRssBeforeImportKb = process.resourceUsage().maxRSS
// maxRSS is the process's peak, which opening PGlite may already have set: sample the RSS during the import as well.
const rssBeforeImportKb = process.memoryUsage.rss() / 1024
let importPeakRssKb = rssBeforeImportKb
const sampler = setInterval(() => (importPeakRssKb = Math.max(importPeakRssKb, process.memoryUsage.rss() / 1024)), 20)
const started = performance.now()
const imported = await importPoliceFile(database, { fileName: path.basename(file), stream: createReadStream(file), totalBytes: statSync(file).size })
const seconds = (performance.now() - started) / 1000
clearInterval(sampler)
importPeakRssKb = Math.max(importPeakRssKb, process.memoryUsage.rss() / 1024)
const maxRssKb = process.resourceUsage().maxRSS
// On PGlite the tables are in this process too (in memory) or its file cache: their size accounts for part of any growth.
const stored = url
  ? null
  : (await sql<{ kb: number }>`select ((pg_total_relation_size('police_crimes') + pg_total_relation_size('police_crime_counts')) / 1024)::int as kb`.execute(database.db)).rows[0]!.kb
await database.close()
console.log(JSON.stringify({ rows: imported.rows, seconds, maxRssBeforeImportKb, rssBeforeImportKb: Math.round(rssBeforeImportKb), importPeakRssKb: Math.round(importPeakRssKb), maxRssKb, tablesKb: stored }))
