import type { Kysely } from 'kysely'
import type { DB } from '../../platform/db/schema.js'
import { NotFoundError, RuleError } from '../../platform/http/errors.js'
import type { Actor } from '../audit/audit.events.js'
import type { AuditService } from '../audit/audit.service.js'
import type { OrganisationChanges, OrganisationInput } from './organisations.schemas.js'
import type { OrganisationsRepository } from './organisations.repository.js'

export function organisationsService({ db, organisations, audit }: { db: Kysely<DB>; organisations: OrganisationsRepository; audit: Pick<AuditService, 'record'> }) {
  return {
    list: organisations.list,

    async get(id: string) {
      const organisation = await organisations.findById(id)
      if (!organisation) throw new NotFoundError('Organisation not found')
      return organisation
    },

    create(actor: Actor, input: OrganisationInput) {
      return db.transaction().execute(async (trx) => {
        if (await organisations.nameTaken(input.name, undefined, trx)) throw new RuleError('name', 'An organisation with this name already exists')
        const { id } = await organisations.insert({ name: input.name, type: input.type }, trx)
        await audit.record(actor, { action: 'organisation.created', recordType: 'organisation', recordId: id, details: { type: input.type } }, trx)
        return id
      })
    },

    update(actor: Actor, id: string, changes: OrganisationChanges) {
      return db.transaction().execute(async (trx) => {
        const current = await organisations.findById(id, trx)
        if (!current) throw new NotFoundError('Organisation not found')
        if (changes.name !== undefined && (await organisations.nameTaken(changes.name, id, trx))) {
          throw new RuleError('name', 'An organisation with this name already exists')
        }
        const fields = (Object.keys(changes) as (keyof OrganisationChanges)[]).filter((key) => changes[key] !== undefined && changes[key] !== current[key])
        if (fields.length === 0) return
        const { requireTwoFactor, ...rest } = changes
        await organisations.update(id, { ...rest, require_two_factor: requireTwoFactor }, trx)
        await audit.record(actor, { action: 'organisation.updated', recordType: 'organisation', recordId: id, details: { fields } }, trx)
      })
    },
  }
}

export type OrganisationsService = ReturnType<typeof organisationsService>
