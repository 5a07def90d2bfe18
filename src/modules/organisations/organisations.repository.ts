import { sql } from 'kysely'
import type { Executor } from '../../platform/db/executor.js'
import type { NewOrganisation, OrganisationUpdate } from '../../platform/db/schema.js'

const columns = ['id', 'name', 'type', 'active', 'require_two_factor as requireTwoFactor', 'created_at as createdAt', 'updated_at as updatedAt'] as const

export function organisationsRepository(db: Executor) {
  return {
    list(options: { includeInactive?: boolean } = {}) {
      let query = db
        .selectFrom('organisations')
        .select([...columns, (eb) => eb.selectFrom('users').select(sql<number>`count(*)::int`.as('n')).whereRef('users.organisation_id', '=', 'organisations.id').where('users.active', '=', true).as('activeUsers')])
        .orderBy('name')
      if (!options.includeInactive) query = query.where('active', '=', true)
      return query.execute()
    },

    findById(id: string, executor: Executor = db) {
      return executor.selectFrom('organisations').select(columns).where('id', '=', id).executeTakeFirst()
    },

    nameTaken(name: string, exceptId?: string, executor: Executor = db) {
      let query = executor.selectFrom('organisations').select('id').where(sql<string>`lower(name)`, '=', name.toLowerCase())
      if (exceptId) query = query.where('id', '<>', exceptId)
      return query.executeTakeFirst().then(Boolean)
    },

    insert(organisation: NewOrganisation, executor: Executor = db) {
      return executor.insertInto('organisations').values(organisation).returning('id').executeTakeFirstOrThrow()
    },

    update(id: string, changes: OrganisationUpdate, executor: Executor = db) {
      return executor.updateTable('organisations').set({ ...changes, updated_at: sql`now()` }).where('id', '=', id).execute()
    },
  }
}

export type OrganisationsRepository = ReturnType<typeof organisationsRepository>
export type OrganisationRecord = NonNullable<Awaited<ReturnType<OrganisationsRepository['findById']>>>
