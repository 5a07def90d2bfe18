import type { Kysely } from 'kysely'
import type { DB } from '../../platform/db/schema.js'
import { NotFoundError, RuleError } from '../../platform/http/errors.js'
import type { Actor } from '../audit/audit.events.js'
import type { AuditService } from '../audit/audit.service.js'
import { recordCaseEvent, requireCase } from '../cases/case-access.js'
import { addDays, daysBetween, todayInLondon } from '../../platform/dates.js'
import { interventionsRepository } from './interventions.repository.js'
import {
  ARREST_TYPES,
  BREACH_ACTIONS,
  COURT_TYPES,
  LOCATION_TYPES,
  REFUSABLE_TYPES,
  SETTABLE_STATUSES,
  STAGE_LABELS,
  STATUS_LABELS,
  TERMS_TYPES,
  ageOn,
  formatDate,
  formatPence,
  ladder,
} from './interventions.rules.js'
import type { BreachInput, InterventionInput } from './interventions.schemas.js'

export function interventionsService({ db, audit }: { db: Kysely<DB>; audit: Pick<AuditService, 'record'> }) {
  const repository = interventionsRepository(db)

  async function requireIntervention(caseId: string, id: string, executor: Parameters<typeof repository.findOnCase>[2]) {
    const intervention = await repository.findOnCase(caseId, id, executor)
    if (!intervention) throw new NotFoundError('Intervention not found')
    return intervention
  }

  return {
    types: () => repository.types(),

    /** What the add pages need: the case, the types and the people on the case. */
    async newInterventionForm(actor: Actor, caseId: string) {
      const caseRecord = await requireCase(db, actor, caseId, 'recordIntervention')
      const [types, people] = await Promise.all([repository.types(), repository.peopleOnCase(caseId)])
      await audit.record(actor, { action: 'case.viewed', recordType: 'case', recordId: caseId, details: { page: 'intervention' } })
      return { caseRecord, types, people }
    },

    /**
     * Records one step of the incremental approach. The type's rows decide the rules: the type that must come
     * first for the same person (a CPW before a CPN), the minimum age, the default and maximum duration.
     */
    async record(actor: Actor, caseId: string, input: InterventionInput) {
      return db.transaction().execute(async (trx) => {
        await requireCase(trx, actor, caseId, 'recordIntervention')
        const type = await repository.findType(input.typeCode, trx)
        if (!type) throw new RuleError('typeCode', 'Select the type of intervention')
        const forPremises = LOCATION_TYPES.includes(type.code)

        const people = await repository.peopleOnCase(caseId, trx)
        const person = input.personId ? people.find((one) => one.id === input.personId) : undefined
        if (input.personId && !person) throw new RuleError('personId', 'Select a person on this case')
        if (!person && !forPremises) throw new RuleError('personId', 'Select the person this is for')
        const premisesAddress = forPremises ? input.premisesAddress?.trim() || null : null
        if (forPremises && !person && !premisesAddress) throw new RuleError('premisesAddress', 'Enter the address of the premises')

        const today = todayInLondon()
        if (input.issuedOn > today) throw new RuleError('issuedOn', 'The date issued must be today or in the past')
        const expiresOn = input.expiresOn ?? (type.defaultDurationDays === null ? null : addDays(input.issuedOn, type.defaultDurationDays))
        if (expiresOn !== null && expiresOn <= input.issuedOn) throw new RuleError('expiresOn', 'The expiry date must be after the date issued')
        if (expiresOn !== null && type.maxDurationDays !== null && daysBetween(input.issuedOn, expiresOn) > type.maxDurationDays) {
          throw new RuleError(
            'expiresOn',
            `A ${type.label} can last no more than ${type.maxDurationDays} days: the expiry date must be on or before ${formatDate(addDays(input.issuedOn, type.maxDurationDays))}`,
          )
        }
        const reviewOn = input.reviewOn ?? null
        if (reviewOn !== null && reviewOn < input.issuedOn) throw new RuleError('reviewOn', 'The review date must be on or after the date issued')

        if (person && type.minAge !== null && person.dateOfBirth && ageOn(person.dateOfBirth, input.issuedOn) < type.minAge) {
          throw new RuleError('personId', `A ${type.label} can only be issued to someone aged ${type.minAge} or over`)
        }

        const premisesLocationId = premisesAddress ? await repository.findOrCreateLocation(premisesAddress, trx) : null
        if (type.requiresCode) {
          const required = await repository.findType(type.requiresCode, trx)
          const target = person ? { personId: person.id } : premisesLocationId ? { premisesLocationId } : undefined
          if (required && (!target || !(await repository.hasEarlier(caseId, required.code, target, input.issuedOn, trx)))) {
            throw new RuleError(person ? 'personId' : 'premisesAddress', `A ${required.label} must be issued before a ${type.label}`)
          }
        }

        const { id } = await repository.insert(
          {
            caseId,
            personId: person?.id ?? null,
            typeCode: type.code,
            issuedOn: input.issuedOn,
            expiresOn,
            reviewOn,
            officerId: actor.userId!,
            organisationId: actor.organisationId!,
            prohibitions: TERMS_TYPES.includes(type.code) ? input.prohibitions || null : null,
            requirements: TERMS_TYPES.includes(type.code) ? input.requirements || null : null,
            powerOfArrest: ARREST_TYPES.includes(type.code) ? Boolean(input.powerOfArrest) : false,
            court: COURT_TYPES.includes(type.code) ? input.court || null : null,
            premisesLocationId,
            notes: input.notes || null,
          },
          trx,
        )
        await recordCaseEvent(trx, actor, { caseId, kind: 'intervention', summary: `Intervention recorded: ${type.label} (${STAGE_LABELS[type.stage]?.toLowerCase()})` })
        await audit.record(
          actor,
          { action: 'intervention.recorded', recordType: 'intervention', recordId: id, details: { caseId, typeCode: type.code, personId: person?.id ?? null, premisesLocationId } },
          trx,
        )
        return { id }
      })
    },

    /** The intervention and what the breach form needs. */
    async breachForm(actor: Actor, caseId: string, id: string) {
      const caseRecord = await requireCase(db, actor, caseId, 'recordBreach')
      const intervention = await requireIntervention(caseId, id, db)
      await audit.record(actor, { action: 'case.viewed', recordType: 'case', recordId: caseId, details: { page: 'breach', interventionId: id } })
      return { caseRecord, intervention, defaultPenalty: intervention.typeFixedPenaltyPence === null ? null : formatPence(intervention.typeFixedPenaltyPence) }
    },

    /** A breach: the intervention becomes 'breached'; a fixed penalty defaults to the type's amount (£100 for a CPN). */
    async recordBreach(actor: Actor, caseId: string, id: string, input: BreachInput) {
      return db.transaction().execute(async (trx) => {
        await requireCase(trx, actor, caseId, 'recordBreach')
        const intervention = await requireIntervention(caseId, id, trx)
        if (input.breachedOn < intervention.issuedOn) throw new RuleError('breachedOn', `The date of the breach must be on or after the date issued (${formatDate(intervention.issuedOn)})`)
        if (input.breachedOn > todayInLondon()) throw new RuleError('breachedOn', 'The date of the breach must be today or in the past')
        let fixedPenaltyPence: number | null = null
        if (input.action === 'fixed_penalty') {
          fixedPenaltyPence = input.fixedPenaltyPence ?? intervention.typeFixedPenaltyPence
          if (!fixedPenaltyPence) throw new RuleError('fixedPenalty', 'Enter the amount of the fixed penalty')
        }
        const breach = await repository.insertBreach(
          { interventionId: id, breachedOn: input.breachedOn, description: input.description, action: input.action, fixedPenaltyPence, recordedBy: actor.userId! },
          trx,
        )
        await repository.setStatus(id, 'breached', trx)
        const penalty = fixedPenaltyPence ? ` of ${formatPence(fixedPenaltyPence)}` : ''
        await recordCaseEvent(trx, actor, {
          caseId,
          kind: 'intervention',
          summary: `Breach of ${intervention.typeLabel} recorded: ${BREACH_ACTIONS[input.action].toLowerCase()}${penalty}`,
          changes: intervention.status === 'breached' ? [] : [{ field: 'status', from: intervention.status, to: 'breached' }],
        })
        await audit.record(
          actor,
          { action: 'intervention.breach_recorded', recordType: 'intervention', recordId: id, details: { caseId, breachId: breach.id, action: input.action, fixedPenaltyPence } },
          trx,
        )
        return { ...breach, interventionId: id, description: input.description }
      })
    },

    /** Complied, expired, withdrawn, or refused (an ABC the person would not sign). */
    async setStatus(actor: Actor, caseId: string, id: string, status: (typeof SETTABLE_STATUSES)[number]) {
      return db.transaction().execute(async (trx) => {
        await requireCase(trx, actor, caseId, 'recordOutcome')
        const intervention = await requireIntervention(caseId, id, trx)
        if (status === 'refused' && !REFUSABLE_TYPES.includes(intervention.typeCode)) throw new RuleError('status', 'Only an Acceptable Behaviour Contract can be recorded as refused')
        if (intervention.status === status) return
        await repository.setStatus(id, status, trx)
        await recordCaseEvent(trx, actor, {
          caseId,
          kind: 'intervention',
          summary: `${intervention.typeLabel}: ${STATUS_LABELS[status]?.toLowerCase()}`,
          changes: [{ field: 'status', from: intervention.status, to: status }],
        })
        await audit.record(actor, { action: 'intervention.updated', recordType: 'intervention', recordId: id, details: { caseId, fields: ['status'], status: { from: intervention.status, to: status } } }, trx)
      })
    },

    /** Per person on the case: their interventions in date order with breaches, and where they are on the ladder. */
    async forCase(actor: Actor, caseId: string, options: { audit?: boolean } = {}) {
      await requireCase(db, actor, caseId, 'read')
      const [people, interventions, breaches] = await Promise.all([repository.peopleOnCase(caseId), repository.listOnCase(caseId), repository.breachesOnCase(caseId)])
      if (options.audit !== false) await audit.record(actor, { action: 'interventions.listed', recordType: 'case', recordId: caseId, details: { count: interventions.length, breaches: breaches.length } })
      const withBreaches = interventions.map((intervention) => ({
        ...intervention,
        stageLabel: STAGE_LABELS[intervention.stage] ?? intervention.stage,
        statusLabel: STATUS_LABELS[intervention.status] ?? intervention.status,
        breaches: breaches
          .filter((breach) => breach.interventionId === intervention.id)
          .map(({ interventionId: _interventionId, ...breach }) => ({
            ...breach,
            actionLabel: BREACH_ACTIONS[breach.action as keyof typeof BREACH_ACTIONS] ?? breach.action,
            fixedPenalty: breach.fixedPenaltyPence === null ? null : formatPence(breach.fixedPenaltyPence),
          })),
      }))
      const byPerson = new Map(people.map((person) => [person.id, { personId: person.id, name: person.name, roles: person.roles }]))
      // Someone taken off the case keeps their interventions on it.
      for (const intervention of withBreaches) {
        if (intervention.personId && !byPerson.has(intervention.personId)) byPerson.set(intervention.personId, { personId: intervention.personId, name: intervention.personName ?? '', roles: [] })
      }
      return {
        people: [...byPerson.values()].map((person) => {
          const theirs = withBreaches.filter((intervention) => intervention.personId === person.personId)
          return { ...person, ladder: ladder(theirs), interventions: theirs }
        }),
        premises: withBreaches.filter((intervention) => intervention.personId === null),
        settableStatuses: SETTABLE_STATUSES.map((status) => ({ value: status, text: STATUS_LABELS[status] })),
      }
    },
  }
}

export type InterventionsService = ReturnType<typeof interventionsService>
