import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import { samples } from '../../src/modules/documents/documents.fixtures.js'
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

    /** A case's work about one person, one of each: a risk assessment, an intervention, a task and a document (a PDF). */
    async caseWork(options: { caseId: string; personId: string; organisationId: string; officerId: string; taskTitle?: string }) {
      const { caseId, personId, organisationId, officerId } = options
      const questionnaire = await db.selectFrom('risk_questionnaires').select('id').where('active', '=', true).executeTakeFirstOrThrow()
      const assessment = await db.insertInto('risk_assessments').values({ case_id: caseId, person_id: personId, questionnaire_id: questionnaire.id, answers: '{}', score: 0, level: 'standard', assessed_by: officerId }).returning('id').executeTakeFirstOrThrow()
      const intervention = await db.insertInto('interventions').values({ case_id: caseId, person_id: personId, type_code: 'warning_letter', issued_on: '2026-01-05', officer_id: officerId, organisation_id: organisationId }).returning('id').executeTakeFirstOrThrow()
      const task = await db.insertInto('tasks').values({ case_id: caseId, title: options.taskTitle ?? 'Visit', assigned_to: officerId, assigned_organisation_id: organisationId, due_on: '2030-01-01', created_by: officerId }).returning('id').executeTakeFirstOrThrow()
      const pdf = samples.pdf()
      const document = await db
        .insertInto('case_documents')
        .values({ case_id: caseId, title: 'Statement', category: 'witness_statement', file_name: 'statement.pdf', mime_type: 'application/pdf', size_bytes: pdf.length, sha256: 'a'.repeat(64), uploaded_by: officerId, organisation_id: organisationId })
        .returning('id')
        .executeTakeFirstOrThrow()
      await db.insertInto('case_document_contents').values({ document_id: document.id, content: pdf }).execute()
      return { questionnaireId: questionnaire.id, assessment, intervention, task, document }
    },
  }
}

export type AsbFactories = ReturnType<typeof asbFactories>
