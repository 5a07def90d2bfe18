import type { Kysely } from 'kysely'
import type { Executor } from '../../platform/db/executor.js'
import type { DB } from '../../platform/db/schema.js'
import { ConflictError, NotFoundError, RuleError } from '../../platform/http/errors.js'
import type { Actor } from '../audit/audit.events.js'
import type { AuditService } from '../audit/audit.service.js'
import { recordCaseEvent, requireCase } from '../cases/case-access.js'
import { findOrCreateLocation, locationsService } from '../locations/locations.service.js'
import { incidentsRepository } from './incidents.repository.js'
import { INCIDENT_PAGE_SIZE, type IncidentFilters, type IncidentInput, MESSAGES, ukParts } from './incidents.schemas.js'

/** The active incident types, for pickers in other modules. */
export function incidentTypes(db: Executor) {
  return incidentsRepository(db).types()
}

function requireOrganisation(actor: Actor): string {
  // Users without an organisation see no ASB records; not found rather than forbidden, as for cases.
  if (!actor.organisationId) throw new NotFoundError('Incident not found')
  return actor.organisationId
}

export function incidentsService({ db, audit }: { db: Kysely<DB>; audit: Pick<AuditService, 'record'> }) {
  const incidents = incidentsRepository(db)

  return {
    locations: locationsService({ db, audit }),

    types: () => incidents.types(),

    /** Records an incident, on a case when caseId is given; the location is found or made from the address. */
    record(actor: Actor, input: IncidentInput) {
      const organisationId = requireOrganisation(actor)
      return db.transaction().execute(async (trx) => {
        const repository = incidentsRepository(trx)
        const onCase = input.caseId ? await requireCase(trx, actor, input.caseId, 'addIncident') : undefined
        const type = await repository.activeType(input.typeCode)
        if (!type) throw new RuleError('typeCode', MESSAGES.type)
        if (input.reportingPersonId && !(await repository.personVisible(input.reportingPersonId, organisationId))) {
          throw new RuleError('reportingPersonId', 'Select the person who reported it')
        }
        const locationId = input.address
          ? await findOrCreateLocation(trx, { address: input.address, postcode: input.postcode, latitude: input.latitude, longitude: input.longitude })
          : null
        const reference = await repository.nextReference(ukParts(input.reportedAt).year)
        const { id } = await repository.insert({
          reference,
          occurred_at: input.occurredAt,
          reported_at: input.reportedAt,
          channel: input.channel,
          type_code: type.code,
          category: type.category,
          hate_motivated: input.hateMotivated,
          hate_strands: input.hateStrands,
          description: input.description,
          location_id: locationId,
          location_text: input.locationText ?? null,
          reporting_person_id: input.reportingPersonId ?? null,
          case_id: onCase?.id ?? null,
          organisation_id: organisationId,
          recorded_by: actor.userId!,
        })
        await audit.record(
          actor,
          { action: 'incident.recorded', recordType: 'incident', recordId: id, details: { typeCode: type.code, caseId: onCase?.id ?? null, locationId, hateMotivated: input.hateMotivated } },
          trx,
        )
        if (onCase) await recordCaseEvent(trx, actor, { caseId: onCase.id, kind: 'incident', summary: `Incident ${reference} recorded: ${type.label}` })
        return { id, reference }
      })
    },

    /** One incident the user may see; the read is audited. */
    get(actor: Actor, id: string) {
      const organisationId = requireOrganisation(actor)
      return db.transaction().execute(async (trx) => {
        const incident = await incidentsRepository(trx).findVisible(id, organisationId)
        if (!incident) throw new NotFoundError('Incident not found')
        await audit.record(actor, { action: 'incident.viewed', recordType: 'incident', recordId: id, details: {} }, trx)
        return incident
      })
    },

    async list(actor: Actor, filters: IncidentFilters) {
      const organisationId = requireOrganisation(actor)
      const { rows, total } = await incidents.page(organisationId, filters, INCIDENT_PAGE_SIZE)
      // Each row can name a reporter or an address: the audit row holds counts, never what was read.
      await audit.record(actor, { action: 'incidents.listed', recordType: 'incident', details: { page: filters.page, count: rows.length, total } })
      return { rows, total, page: filters.page, pages: Math.max(1, Math.ceil(total / INCIDENT_PAGE_SIZE)) }
    },

    /** Puts an incident the user may see on a case they may contribute to, unless it is on a case already. */
    link(actor: Actor, id: string, caseId: string) {
      const organisationId = requireOrganisation(actor)
      return db.transaction().execute(async (trx) => {
        const repository = incidentsRepository(trx)
        const incident = await repository.findVisible(id, organisationId)
        if (!incident) throw new NotFoundError('Incident not found')
        const target = await requireCase(trx, actor, caseId, 'addIncident')
        if (incident.caseId || !(await repository.linkToCase(id, target.id))) throw new ConflictError('This incident is already on a case')
        await recordCaseEvent(trx, actor, { caseId: target.id, kind: 'incident', summary: `Incident ${incident.reference} added to the case: ${incident.typeLabel}` })
        await audit.record(actor, { action: 'incident.linked', recordType: 'incident', recordId: id, details: { caseId: target.id } }, trx)
        return target
      })
    },

    /** The id of a case the user may see, from the reference they typed. */
    async caseIdForReference(actor: Actor, reference: string) {
      const organisationId = requireOrganisation(actor)
      const trimmed = reference.trim().toUpperCase()
      if (!trimmed) return undefined
      return incidents.visibleCaseId(trimmed, organisationId)
    },

    /** The incidents on a case, for the case page's panel. */
    async forCase(actor: Actor, caseId: string) {
      await requireCase(db, actor, caseId, 'read')
      return incidents.forCase(caseId, actor.organisationId!)
    },
  }
}

export type IncidentsService = ReturnType<typeof incidentsService>
export type IncidentPanelRow = Awaited<ReturnType<IncidentsService['forCase']>>[number]
