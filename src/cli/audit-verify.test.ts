import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshDatabase, migratedDataFolder, serverUrl, type TestDatabase } from '../../test/helpers/database.js'
import { SYSTEM_ACTOR } from '../modules/audit/audit.events.js'
import { auditRepository } from '../modules/audit/audit.repository.js'
import { type Database, openDatabase } from '../platform/db/database.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const TSX = path.join(ROOT, 'node_modules/.bin/tsx')

let folder: string
let server: TestDatabase | undefined

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'scp-audit-verify-'))
  if (serverUrl) server = await freshDatabase()
  else await migratedDataFolder(path.join(folder, 'data', 'pglite'))
})
afterAll(async () => {
  await server?.destroy()
  await rm(folder, { recursive: true, force: true })
})

/** Runs npm run audit:verify as a person would, with a configuration of its own. */
function auditVerify(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, NODE_ENV: 'test', SEED_DEMO_DATA: 'false', DATA_DIR: path.join(folder, 'data'), LOG_LEVEL: 'silent' }
  if (server) env.DATABASE_URL = (server.target as { url: string }).url
  return new Promise((resolve) => {
    execFile(TSX, ['src/cli/audit-verify.ts'], { cwd: ROOT, env }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr })
    })
  })
}

/** The command's database, opened while the command is not running. */
async function withDatabase<T>(work: (database: Database) => Promise<T>): Promise<T> {
  if (server) return work(server.database)
  const database = await openDatabase({ kind: 'pglite', dataDir: path.join(folder, 'data', 'pglite') })
  try {
    return await work(database)
  } finally {
    await database.close()
  }
}

describe('npm run audit:verify', () => {
  it('says the log is intact and exits 0, then names the altered entry and exits 1', async () => {
    const ids = await withDatabase(async (database) => {
      const repository = auditRepository(database.db)
      for (let i = 0; i < 4; i++) await repository.insert(SYSTEM_ACTOR, { action: 'case.viewed', details: { i } })
      return (await database.db.selectFrom('audit_events').select('id').orderBy('id').execute()).map((row) => row.id)
    })

    const intact = await auditVerify()
    expect(intact.stderr).toBe('')
    expect(intact.code).toBe(0)
    expect(intact.stdout).toMatch(/^The audit log is intact: 4 entries checked\.\nHash of the last entry: [0-9a-f]{64}\n$/)

    await withDatabase((database) =>
      database.scriptTransaction(async (tx) => {
        await tx.exec('alter table audit_events disable trigger audit_events_no_update_or_delete')
        await tx.query(`delete from audit_events where id = $1`, [ids[1]])
        await tx.exec('alter table audit_events enable trigger audit_events_no_update_or_delete')
      }),
    )
    const altered = await auditVerify()
    expect(altered.code).toBe(1)
    expect(altered.stdout).toMatch(new RegExp(`^The audit log has been altered \\(missing\\)\\.\\nEntry ${ids[2]}, written \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z: 1 row was removed just before it \\(chain positions 2 to 2\\)\\.\\n1 entries before it are intact\\.\\n$`))
  }, 120_000)
})
