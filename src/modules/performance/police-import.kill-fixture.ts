import { createReadStream, statSync } from 'node:fs'
import path from 'node:path'
import { openDatabase } from '../../platform/db/database.js'
import { migrate } from '../../platform/db/migrate.js'
import { ensureBoundaries } from './geography.js'
import { importPoliceFile } from './police-import.js'

/**
 * For police-import.test.ts only: imports files one after another into a database (a PostgreSQL URL, or a PGlite
 * data folder, migrated here) and writes its progress to stdout, so that the test can kill the process part-way.
 * Usage: node --import tsx police-import.kill-fixture.ts <postgres URL or PGlite folder> <file>...
 */
const [target, ...files] = process.argv.slice(2)
if (!target || !files.length) throw new Error('Usage: police-import.kill-fixture.ts <database> <file>...')
const database = await openDatabase(/^postgres(ql)?:\/\//.test(target) ? { kind: 'postgres', url: target } : { kind: 'pglite', dataDir: target })
await migrate(database)
await ensureBoundaries(database)
for (const file of files) {
  const fileName = path.basename(file)
  let reported = 0
  const result = await importPoliceFile(database, {
    fileName,
    stream: createReadStream(file),
    totalBytes: statSync(file).size,
    onProgress: ({ bytesRead }) => {
      if (bytesRead - reported < 1024 * 1024) return
      reported = bytesRead
      process.stdout.write(`read ${bytesRead} of ${fileName}\n`)
    },
  })
  process.stdout.write(`imported ${fileName}: ${result.rows} rows\n`)
}
await database.close()
