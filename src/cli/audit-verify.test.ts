import { describe, expect, it } from 'vitest'
import { commandLine } from '../../test/helpers/cli.js'
import { SYSTEM_ACTOR } from '../modules/audit/audit.events.js'
import { auditRepository } from '../modules/audit/audit.repository.js'

const cli = commandLine('audit-verify')
const auditVerify = () => cli.run('src/cli/audit-verify.ts')
const withDatabase = cli.withDatabase

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
