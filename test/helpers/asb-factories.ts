import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { DB } from '../../src/platform/db/schema.js'

const unique = () => randomBytes(3).toString('hex')

/** Factories for ASB records, writing straight to the database (arranging tests, not testing services). */
export function asbFactories(db: Kysely<DB>) {
  return {
    async case(options: { owningOrganisationId: string; leadOfficerId?: string; type?: 'victim_centred' | 'perpetrator_centred' | 'location'; status?: 'open' | 'in_progress' | 'review' | 'closed'; title?: string }) {
      const closed = options.status === 'closed'
      return db
        .insertInto('cases')
        .values({
          reference: `ASB-T-${unique()}`,
          title: options.title ?? `Test case ${unique()}`,
          type: options.type ?? 'perpetrator_centred',
          status: options.status ?? 'open',
          owning_organisation_id: options.owningOrganisationId,
          lead_officer_id: options.leadOfficerId ?? null,
          closed_at: closed ? new Date() : null,
        })
        .returning(['id', 'reference', 'owning_organisation_id as owningOrganisationId'])
        .executeTakeFirstOrThrow()
    },

    async person(options: { givenNames?: string; familyName?: string; dateOfBirth?: string | null; createdByOrganisationId?: string } = {}) {
      return db
        .insertInto('people')
        .values({
          given_names: options.givenNames ?? `Given${unique()}`,
          family_name: options.familyName ?? `Family${unique()}`,
          date_of_birth: options.dateOfBirth ?? null,
          created_by_organisation_id: options.createdByOrganisationId ?? null,
        })
        .returning(['id', 'given_names as givenNames', 'family_name as familyName'])
        .executeTakeFirstOrThrow()
    },

    async linkPerson(caseId: string, personId: string, role: 'victim' | 'perpetrator' | 'witness' | 'other') {
      await db.insertInto('case_people').values({ case_id: caseId, person_id: personId, role }).execute()
    },

    /** A share of a case; read only unless the test gives it more rights. */
    async share(caseId: string, organisationId: string, sharedBy: string, access: 'read' | 'contribute' | 'full' = 'read') {
      return db.insertInto('case_shares').values({ case_id: caseId, organisation_id: organisationId, reason: 'Test share', shared_by: sharedBy, access }).returning('id').executeTakeFirstOrThrow()
    },

    async incident(options: { organisationId: string; recordedBy: string; caseId?: string; typeCode?: string; category?: 'personal' | 'nuisance' | 'environmental'; locationId?: string; reportingPersonId?: string }) {
      return db
        .insertInto('incidents')
        .values({
          reference: `INC-T-${unique()}`,
          occurred_at: new Date(Date.now() - 86_400_000),
          reported_at: new Date(),
          channel: 'phone',
          type_code: options.typeCode ?? 'noise',
          category: options.category ?? 'nuisance',
          description: 'Loud music late at night',
          organisation_id: options.organisationId,
          recorded_by: options.recordedBy,
          case_id: options.caseId ?? null,
          location_id: options.locationId ?? null,
          reporting_person_id: options.reportingPersonId ?? null,
        })
        .returning(['id', 'reference'])
        .executeTakeFirstOrThrow()
    },

    async location(address = `${Math.floor(Math.random() * 200) + 1} Test Street ${unique()}, Leicester`) {
      return db.insertInto('locations').values({ address }).returning(['id', 'address']).executeTakeFirstOrThrow()
    },
  }
}

export type AsbFactories = ReturnType<typeof asbFactories>
