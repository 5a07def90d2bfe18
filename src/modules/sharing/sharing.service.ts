import type { Kysely } from 'kysely'
import { z } from 'zod'
import { todayInLondon } from '../../platform/dates.js'
import type { DB } from '../../platform/db/schema.js'
import { NotFoundError, RuleError } from '../../platform/http/errors.js'
import type { Actor } from '../audit/audit.events.js'
import type { AuditService } from '../audit/audit.service.js'
import { isoDate } from '../cases/cases.schemas.js'

export const agreementInput = z.object({
  name: z.string({ error: 'Enter the name of the agreement' }).trim().min(1, 'Enter the name of the agreement').max(200, 'Name must be 200 characters or fewer'),
  purpose: z.string({ error: 'Enter the purpose of the sharing' }).trim().min(1, 'Enter the purpose of the sharing').max(2000, 'Purpose must be 2000 characters or fewer'),
  sharingOrganisationId: z.uuid({ error: 'Select the organisation that shares its cases' }),
  receivingOrganisationId: z.uuid({ error: 'Select the organisation that receives them' }),
  startsOn: isoDate('Enter a real start date, for example 1 4 2026'),
  endsOn: z.preprocess((value) => (value === '' ? undefined : value), isoDate('Enter a real end date, for example 31 3 2027').optional()),
})
export type AgreementInput = z.output<typeof agreementInput>

/** Information sharing agreements: while one is in force, the receiving organisation sees the sharing organisation's cases. */
export function sharingService({ db, audit }: { db: Kysely<DB>; audit: Pick<AuditService, 'record'> }) {
  return {
    list: () =>
      db
        .selectFrom('sharing_agreements')
        .innerJoin('organisations as sharing', 'sharing.id', 'sharing_agreements.sharing_organisation_id')
        .innerJoin('organisations as receiving', 'receiving.id', 'sharing_agreements.receiving_organisation_id')
        .select([
          'sharing_agreements.id',
          'sharing_agreements.name',
          'sharing_agreements.purpose',
          'sharing_agreements.sharing_organisation_id as sharingOrganisationId',
          'sharing.name as sharingOrganisationName',
          'sharing_agreements.receiving_organisation_id as receivingOrganisationId',
          'receiving.name as receivingOrganisationName',
          'sharing_agreements.starts_on as startsOn',
          'sharing_agreements.ends_on as endsOn',
        ])
        .orderBy('sharing_agreements.starts_on', 'desc')
        .execute(),

    create(actor: Actor, input: AgreementInput) {
      if (input.sharingOrganisationId === input.receivingOrganisationId) throw new RuleError('receivingOrganisationId', 'Choose two different organisations')
      if (input.endsOn && input.endsOn < input.startsOn) throw new RuleError('endsOn', 'The end date must be the same as or after the start date')
      return db.transaction().execute(async (trx) => {
        const found = await trx.selectFrom('organisations').select('id').where('id', 'in', [input.sharingOrganisationId, input.receivingOrganisationId]).execute()
        if (found.length !== 2) throw new RuleError('sharingOrganisationId', 'Select organisations from the list')
        const row = await trx
          .insertInto('sharing_agreements')
          .values({ name: input.name, purpose: input.purpose, sharing_organisation_id: input.sharingOrganisationId, receiving_organisation_id: input.receivingOrganisationId, starts_on: input.startsOn, ends_on: input.endsOn ?? null, created_by: actor.userId! })
          .returning('id')
          .executeTakeFirstOrThrow()
        await audit.record(actor, { action: 'sharing_agreement.created', recordType: 'sharing_agreement', recordId: row.id, details: { sharingOrganisationId: input.sharingOrganisationId, receivingOrganisationId: input.receivingOrganisationId } }, trx)
        return row.id
      })
    },

    /** Ends an agreement today: from tomorrow the receiving organisation no longer sees the cases. */
    end(actor: Actor, id: string) {
      return db.transaction().execute(async (trx) => {
        const today = todayInLondon()
        const agreement = await trx.selectFrom('sharing_agreements').select(['id', 'starts_on']).where('id', '=', id).executeTakeFirst()
        if (!agreement) throw new NotFoundError('Agreement not found')
        await trx.updateTable('sharing_agreements').set({ ends_on: agreement.starts_on > today ? agreement.starts_on : today }).where('id', '=', id).execute()
        await audit.record(actor, { action: 'sharing_agreement.ended', recordType: 'sharing_agreement', recordId: id }, trx)
      })
    },
  }
}

export type SharingService = ReturnType<typeof sharingService>
