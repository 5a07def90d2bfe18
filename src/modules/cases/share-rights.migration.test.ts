import { copyFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshDatabase, type TestDatabase } from '../../../test/helpers/database.js'
import { listMigrationFiles, migrate, MIGRATIONS_DIR } from '../../platform/db/migrate.js'

/** Migration 0010 gives existing shares their rights: read only, unless the organisation has an open task on the case. */
describe('the share rights migration', () => {
  let testDb: TestDatabase
  let dir: string
  beforeAll(async () => {
    testDb = await freshDatabase({ migrated: false })
    dir = await mkdtemp(path.join(tmpdir(), 'scp-share-rights-'))
  })
  afterAll(async () => {
    await testDb.destroy()
    await rm(dir, { recursive: true, force: true })
  })

  it('makes existing shares read only, and contribute where the organisation has an open task on the case', async () => {
    const files = await listMigrationFiles()
    const rights = files.find((file) => file.startsWith('0010_'))!
    for (const file of files.filter((one) => one < rights)) await copyFile(path.join(MIGRATIONS_DIR, file), path.join(dir, file))
    await migrate(testDb.database, dir)

    const db = testDb.database.db
    const [owner, police, housing, probation] = await Promise.all(['Council', 'Police', 'Housing', 'Probation'].map(async (name) => (await db.insertInto('organisations').values({ name, type: 'council' }).returning('id').executeTakeFirstOrThrow()).id))
    const user = async (organisationId: string) => (await db.insertInto('users').values({ name: 'Officer', email: `${organisationId}@test.example.org`, organisation_id: organisationId, roles: ['case_manager'], password_hash: 'x' }).returning('id').executeTakeFirstOrThrow()).id
    const officer = await user(owner!)
    const pc = await user(police!)
    const tenancyOfficer = await user(housing!)
    const record = await db.insertInto('cases').values({ reference: 'ASB-M-1', title: 'Noise', type: 'location', owning_organisation_id: owner! }).returning('id').executeTakeFirstOrThrow()
    // Shared for a task still open, for a task done, and plainly.
    for (const organisationId of [police!, housing!, probation!]) await db.insertInto('case_shares').values({ case_id: record.id, organisation_id: organisationId, reason: 'Shared', shared_by: officer }).execute()
    await db.insertInto('tasks').values({ case_id: record.id, title: 'Visit', assigned_to: pc, assigned_organisation_id: police!, due_on: '2030-01-01', created_by: officer }).execute()
    await db.insertInto('tasks').values({ case_id: record.id, title: 'Letter', assigned_to: tenancyOfficer, assigned_organisation_id: housing!, due_on: '2030-01-01', created_by: officer, status: 'done', completed_at: new Date(), completed_by: tenancyOfficer }).execute()

    await copyFile(path.join(MIGRATIONS_DIR, rights), path.join(dir, rights))
    expect((await migrate(testDb.database, dir)).applied).toEqual([rights])
    const shares = await db.selectFrom('case_shares').select(['organisation_id', 'access']).execute()
    expect(Object.fromEntries(shares.map((share) => [share.organisation_id, share.access]))).toEqual({ [police!]: 'contribute', [housing!]: 'read', [probation!]: 'read' })
  })
})
