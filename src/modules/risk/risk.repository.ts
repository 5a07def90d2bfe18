import { sql } from 'kysely'
import type { Executor } from '../../platform/db/executor.js'
import type { RiskLevel } from './risk.scoring.js'

export function riskRepository(db: Executor) {
  return {
    async activeQuestionnaire(executor: Executor = db) {
      const questionnaire = await executor
        .selectFrom('risk_questionnaires')
        .select([
          'id',
          'name',
          'medium_threshold as mediumThreshold',
          'high_threshold as highThreshold',
          'review_days_standard as reviewDaysStandard',
          'review_days_medium as reviewDaysMedium',
          'review_days_high as reviewDaysHigh',
        ])
        .where('active', '=', true)
        .executeTakeFirst()
      if (!questionnaire) return undefined
      const questions = await this.questions(questionnaire.id, executor)
      return { ...questionnaire, questions }
    },

    questions(questionnaireId: string, executor: Executor = db) {
      return executor
        .selectFrom('risk_questions')
        .select(['code', 'section', 'text', 'weight', 'high_on_yes as highOnYes', 'sort'])
        .where('questionnaire_id', '=', questionnaireId)
        .orderBy('sort')
        .execute()
    },

    questionnaireById(id: string, executor: Executor = db) {
      return executor.selectFrom('risk_questionnaires').select(['id', 'name']).where('id', '=', id).executeTakeFirst()
    },

    /** The people on a case in the victim role (a person added twice appears once). */
    victims(caseId: string, executor: Executor = db) {
      return executor
        .selectFrom('case_people')
        .innerJoin('people', 'people.id', 'case_people.person_id')
        .select(['people.id', sql<string>`people.given_names || ' ' || people.family_name`.as('name')])
        .where('case_people.case_id', '=', caseId)
        .where('case_people.role', '=', 'victim')
        .orderBy('case_people.added_at')
        .execute()
    },

    async victimOnCase(caseId: string, personId: string, executor: Executor = db) {
      return executor
        .selectFrom('case_people')
        .innerJoin('people', 'people.id', 'case_people.person_id')
        .select(['people.id', sql<string>`people.given_names || ' ' || people.family_name`.as('name')])
        .where('case_people.case_id', '=', caseId)
        .where('case_people.person_id', '=', personId)
        .where('case_people.role', '=', 'victim')
        .executeTakeFirst()
    },

    assessmentsOnCase(caseId: string, executor: Executor = db) {
      return executor
        .selectFrom('risk_assessments')
        .innerJoin('users', 'users.id', 'risk_assessments.assessed_by')
        .innerJoin('people', 'people.id', 'risk_assessments.person_id')
        .select([
          'risk_assessments.id',
          'risk_assessments.person_id as personId',
          sql<string>`people.given_names || ' ' || people.family_name`.as('personName'),
          'risk_assessments.assessed_at as assessedAt',
          sql<RiskLevel>`risk_assessments.level`.as('level'),
          'risk_assessments.score',
          'users.name as assessorName',
        ])
        .where('risk_assessments.case_id', '=', caseId)
        .orderBy('risk_assessments.assessed_at', 'desc')
        .execute()
    },

    findAssessment(caseId: string, id: string, executor: Executor = db) {
      return executor
        .selectFrom('risk_assessments')
        .innerJoin('users', 'users.id', 'risk_assessments.assessed_by')
        .innerJoin('people', 'people.id', 'risk_assessments.person_id')
        .select([
          'risk_assessments.id',
          'risk_assessments.case_id as caseId',
          'risk_assessments.person_id as personId',
          sql<string>`people.given_names || ' ' || people.family_name`.as('personName'),
          'risk_assessments.questionnaire_id as questionnaireId',
          'risk_assessments.answers',
          'risk_assessments.score',
          sql<RiskLevel>`risk_assessments.level`.as('level'),
          'risk_assessments.notes',
          'risk_assessments.assessed_at as assessedAt',
          'users.name as assessorName',
        ])
        .where('risk_assessments.case_id', '=', caseId)
        .where('risk_assessments.id', '=', id)
        .executeTakeFirst()
    },

    /** The same person's latest assessment on the same case (before a given time, when one is given). */
    previousAssessment(caseId: string, personId: string, before: Date | undefined, executor: Executor = db) {
      let query = executor
        .selectFrom('risk_assessments')
        .select(['id', sql<RiskLevel>`level`.as('level'), 'score', 'assessed_at as assessedAt'])
        .where('case_id', '=', caseId)
        .where('person_id', '=', personId)
      if (before) query = query.where('assessed_at', '<', before)
      return query
        .orderBy('assessed_at', 'desc')
        .limit(1)
        .executeTakeFirst()
    },

    insertAssessment(
      values: { caseId: string; personId: string; questionnaireId: string; answers: Record<string, boolean>; score: number; level: RiskLevel; notes: string | null; assessedBy: string },
      executor: Executor = db,
    ) {
      return executor
        .insertInto('risk_assessments')
        .values({
          case_id: values.caseId,
          person_id: values.personId,
          questionnaire_id: values.questionnaireId,
          answers: JSON.stringify(values.answers),
          score: values.score,
          level: values.level,
          notes: values.notes,
          assessed_by: values.assessedBy,
        })
        .returning(['id', 'assessed_at as assessedAt'])
        .executeTakeFirstOrThrow()
    },

    caseRisk(caseId: string, executor: Executor = db) {
      return executor
        .selectFrom('cases')
        .leftJoin('users', 'users.id', 'cases.lead_officer_id')
        .select([
          'cases.risk_level as riskLevel',
          'cases.high_risk as highRisk',
          'cases.review_date as reviewDate',
          'cases.lead_officer_id as leadOfficerId',
          'users.organisation_id as leadOfficerOrganisationId',
          'users.active as leadOfficerActive',
        ])
        .where('cases.id', '=', caseId)
        .executeTakeFirstOrThrow()
    },

    updateCaseRisk(caseId: string, changes: { riskLevel: RiskLevel; highRisk: boolean; reviewDate?: string }, executor: Executor = db) {
      return executor
        .updateTable('cases')
        .set({
          risk_level: changes.riskLevel,
          high_risk: changes.highRisk,
          ...(changes.reviewDate ? { review_date: changes.reviewDate } : {}),
          updated_at: sql`now()`,
        })
        .where('id', '=', caseId)
        .execute()
    },

    insertTask(values: { caseId: string; title: string; details: string; assignedTo: string; assignedOrganisationId: string; dueOn: string; createdBy: string }, executor: Executor = db) {
      return executor
        .insertInto('tasks')
        .values({
          case_id: values.caseId,
          title: values.title,
          details: values.details,
          assigned_to: values.assignedTo,
          assigned_organisation_id: values.assignedOrganisationId,
          due_on: values.dueOn,
          created_by: values.createdBy,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    },
  }
}

export type RiskRepository = ReturnType<typeof riskRepository>
