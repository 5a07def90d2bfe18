import type { Kysely } from 'kysely'
import type { DB } from '../../platform/db/schema.js'
import { ConflictError, NotFoundError, RuleError } from '../../platform/http/errors.js'
import type { Actor } from '../audit/audit.events.js'
import type { AuditService } from '../audit/audit.service.js'
import { fieldChanges, recordCaseEvent, requireCase } from '../cases/case-access.js'
import { addDays, todayInLondon } from '../../platform/dates.js'
import { riskRepository } from './risk.repository.js'
import { type RiskLevel, checkAnswerCodes, describeChange, scoreAnswers } from './risk.scoring.js'

export const NOT_A_VICTIM_MESSAGE = 'Add this person to the case as a victim first'
export const HIGH_RISK_TASK_TITLE = 'Arrange a multi-agency case conference: victim assessed as high risk'
/** The first-contact target for a high-risk victim (domain §8: 1 working day); a calendar day keeps it simple and earlier. */
const HIGH_RISK_TASK_DUE_DAYS = 1

export interface RecordAssessment {
  personId: string
  answers: Record<string, boolean>
  notes?: string | null
}

export function riskService({ db, audit }: { db: Kysely<DB>; audit: Pick<AuditService, 'record'> }) {
  const repository = riskRepository(db)

  async function activeQuestionnaire(executor: Parameters<typeof repository.activeQuestionnaire>[0] = db) {
    const questionnaire = await repository.activeQuestionnaire(executor)
    if (!questionnaire) throw new ConflictError('There is no active risk questionnaire. Ask your system administrator to set one up.')
    return questionnaire
  }

  return {
    /** The active questionnaire: questions in order, thresholds and review cadences. */
    async questionnaire() {
      const questionnaire = await activeQuestionnaire()
      return {
        id: questionnaire.id,
        name: questionnaire.name,
        mediumThreshold: questionnaire.mediumThreshold,
        highThreshold: questionnaire.highThreshold,
        reviewDays: { standard: questionnaire.reviewDaysStandard, medium: questionnaire.reviewDaysMedium, high: questionnaire.reviewDaysHigh },
        questions: questionnaire.questions.map(({ code, section, text, weight, highOnYes }) => ({ code, section, text, weight, highOnYes })),
      }
    },

    /** What the new-assessment form needs: the case, the victim and the questions grouped by section. */
    async newAssessmentForm(actor: Actor, caseId: string, personId: string | undefined) {
      const caseRecord = await requireCase(db, actor, caseId, 'assessRisk')
      const victim = personId ? await repository.victimOnCase(caseId, personId) : undefined
      if (!victim) throw new RuleError('personId', NOT_A_VICTIM_MESSAGE)
      const questionnaire = await activeQuestionnaire()
      await audit.record(actor, { action: 'case.viewed', recordType: 'case', recordId: caseId, details: { page: 'risk_assessment', personId } })
      return { caseRecord, victim, questionnaire, sections: groupBySection(questionnaire.questions) }
    },

    /**
     * Records an assessment and, in the same transaction, sets the case's risk level and high-risk flag from it
     * (it is the latest), moves the review date to today + the questionnaire's cadence for that level, writes the
     * timeline and audit, and for a high result gives the lead officer a task to arrange a case conference (the
     * service has no notifications: a task in "my tasks" is how the lead officer is told).
     */
    async record(actor: Actor, caseId: string, input: RecordAssessment) {
      return db.transaction().execute(async (trx) => {
        await requireCase(trx, actor, caseId, 'assessRisk')
        const victim = await repository.victimOnCase(caseId, input.personId, trx)
        if (!victim) throw new RuleError('personId', NOT_A_VICTIM_MESSAGE)
        const questionnaire = await activeQuestionnaire(trx)
        const { missing, unknown } = checkAnswerCodes(questionnaire.questions, input.answers)
        if (missing.length) throw new RuleError('answers', `Answer every question. Missing answers: ${missing.join(', ')}`)
        if (unknown.length) throw new RuleError('answers', `Unknown question codes: ${unknown.join(', ')}`)
        const { score, level } = scoreAnswers(questionnaire.questions, questionnaire, input.answers)

        const before = await repository.caseRisk(caseId, trx)
        const previous = await repository.previousAssessment(caseId, input.personId, undefined, trx)
        const inserted = await repository.insertAssessment(
          { caseId, personId: input.personId, questionnaireId: questionnaire.id, answers: input.answers, score, level, notes: input.notes || null, assessedBy: actor.userId! },
          trx,
        )

        const reviewDays = { standard: questionnaire.reviewDaysStandard, medium: questionnaire.reviewDaysMedium, high: questionnaire.reviewDaysHigh }[level]
        const today = todayInLondon()
        const reviewDate = reviewDays === null ? undefined : addDays(today, reviewDays)
        const after = { riskLevel: level, highRisk: level === 'high', reviewDate: reviewDate ?? before.reviewDate }
        await repository.updateCaseRisk(caseId, { riskLevel: level, highRisk: level === 'high', reviewDate }, trx)
        await recordCaseEvent(trx, actor, {
          caseId,
          kind: 'risk',
          summary: `Risk assessment: ${level} risk (score ${score})`,
          changes: fieldChanges({ riskLevel: before.riskLevel, highRisk: before.highRisk, reviewDate: before.reviewDate }, after),
        })
        await audit.record(
          actor,
          { action: 'risk_assessment.recorded', recordType: 'risk_assessment', recordId: inserted.id, details: { caseId, personId: input.personId, level, score, previousLevel: previous?.level ?? null } },
          trx,
        )

        let leadOfficerTaskId: string | null = null
        if (level === 'high' && before.leadOfficerId && before.leadOfficerOrganisationId) {
          const task = await repository.insertTask(
            {
              caseId,
              title: HIGH_RISK_TASK_TITLE,
              details: `Risk assessment recorded on ${today} scored ${score}. Hold a multi-agency case conference and set a review date.`,
              assignedTo: before.leadOfficerId,
              assignedOrganisationId: before.leadOfficerOrganisationId,
              dueOn: addDays(today, HIGH_RISK_TASK_DUE_DAYS),
              createdBy: actor.userId!,
            },
            trx,
          )
          leadOfficerTaskId = task.id
          await recordCaseEvent(trx, actor, { caseId, kind: 'task', summary: `Task for the lead officer: ${HIGH_RISK_TASK_TITLE}` })
          await audit.record(actor, { action: 'task.assigned', recordType: 'task', recordId: task.id, details: { caseId, assignedTo: before.leadOfficerId, reason: 'high_risk_assessment' } }, trx)
        }
        return { id: inserted.id, level, score, previousLevel: previous?.level ?? null, reviewDate: after.reviewDate, leadOfficerTaskId }
      })
    },

    /** One assessment with its answers, and the change from the same person's previous assessment. Audited as a read. */
    async get(actor: Actor, caseId: string, id: string) {
      const caseRecord = await requireCase(db, actor, caseId, 'read')
      const assessment = await repository.findAssessment(caseId, id)
      if (!assessment) throw new NotFoundError('Risk assessment not found')
      const [questionnaire, questions, previous] = await Promise.all([
        repository.questionnaireById(assessment.questionnaireId),
        repository.questions(assessment.questionnaireId),
        repository.previousAssessment(caseId, assessment.personId, assessment.assessedAt),
      ])
      await audit.record(actor, { action: 'risk_assessment.viewed', recordType: 'risk_assessment', recordId: id, details: { caseId } })
      const answered = questions.map((question) => ({ ...question, answer: assessment.answers[question.code] ?? null }))
      return {
        caseRecord,
        assessment,
        questionnaireName: questionnaire?.name ?? '',
        sections: groupBySection(answered),
        previous: previous ?? null,
        change: describeChange(previous?.level ?? null, assessment.level),
      }
    },

    /**
     * Per victim, their assessments newest first (so the change over time shows), with the case's review date and flag.
     * Audited; `audit: false` for the case page, whose one row is the case read.
     */
    async forCase(actor: Actor, caseId: string, options: { audit?: boolean } = {}) {
      await requireCase(db, actor, caseId, 'read')
      const [caseRisk, victims, assessments] = await Promise.all([repository.caseRisk(caseId), repository.victims(caseId), repository.assessmentsOnCase(caseId)])
      if (options.audit !== false) {
        await audit.record(actor, { action: 'risk_assessments.listed', recordType: 'case', recordId: caseId, details: { victims: new Set(victims.map((victim) => victim.id)).size, count: assessments.length } })
      }
      const people = new Map<string, { personId: string; name: string; assessments: { id: string; assessedAt: Date; level: RiskLevel; score: number; assessorName: string }[] }>()
      for (const victim of victims) if (!people.has(victim.id)) people.set(victim.id, { personId: victim.id, name: victim.name, assessments: [] })
      // A person taken off the case keeps their history here.
      for (const { personId, personName, ...assessment } of assessments) {
        if (!people.has(personId)) people.set(personId, { personId, name: personName, assessments: [] })
        people.get(personId)!.assessments.push(assessment)
      }
      return {
        riskLevel: caseRisk.riskLevel as RiskLevel | null,
        highRisk: caseRisk.highRisk,
        reviewDate: caseRisk.reviewDate,
        victims: [...people.values()],
      }
    },
  }
}

function groupBySection<T extends { section: string }>(questions: T[]): { section: string; questions: T[] }[] {
  const sections: { section: string; questions: T[] }[] = []
  for (const question of questions) {
    const last = sections.at(-1)
    if (last && last.section === question.section) last.questions.push(question)
    else sections.push({ section: question.section, questions: [question] })
  }
  return sections
}

export type RiskService = ReturnType<typeof riskService>
