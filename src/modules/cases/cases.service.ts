import type { Kysely } from 'kysely'
import type { DB, ShareAccess } from '../../platform/db/schema.js'
import { signedIn } from '../../platform/http/actor.js'
import { ConflictError, NotFoundError, RuleError } from '../../platform/http/errors.js'
import type { Actor } from '../audit/audit.events.js'
import type { AuditService } from '../audit/audit.service.js'
import { type CaseAction, SHARE_ACCESS, STALE_EDIT_MESSAGE, fieldChanges, recordCaseEvent, requireCase } from './case-access.js'
import { tasksRepository } from '../tasks/tasks.repository.js'
import { casesRepository } from './cases.repository.js'
import { CASE_STATUSES, CLOSURE_OUTCOMES, type CaseInput, type CaseListFilter, type CaseStatus, type CloseInput, type NoteInput, STATUS_TRANSITIONS } from './cases.schemas.js'

const NEEDS_VICTIM = 'A victim-centred case needs a victim: add the victim to the case first'

export function casesService({ db, audit }: { db: Kysely<DB>; audit: Pick<AuditService, 'record'> }) {
  const cases = casesRepository(db)
  const caseTasks = tasksRepository(db)

  async function checkLeadOfficer(organisationId: string, leadOfficerId: string | undefined, executor: Kysely<DB> = db) {
    if (!leadOfficerId) return
    const managers = await cases.caseManagers(organisationId, executor)
    if (!managers.some((manager) => manager.id === leadOfficerId)) throw new RuleError('leadOfficerId', 'Select a lead officer from your organisation who manages cases')
  }

  return {
    caseManagers: (actor: Actor) => cases.caseManagers(signedIn(actor).organisationId),

    async list(actor: Actor, filter: CaseListFilter) {
      const { organisationId, userId } = signedIn(actor)
      const result = await cases.list(organisationId, userId, filter)
      await audit.record(actor, { action: 'cases.listed', details: { view: filter.view, resultCount: result.rows.length } })
      return result
    },

    async exportRows(actor: Actor, filter: CaseListFilter, format: 'csv' | 'xlsx') {
      const { organisationId, userId } = signedIn(actor)
      const rows = await cases.listAll(organisationId, userId, filter)
      await audit.record(actor, { action: 'cases.exported', details: { format, view: filter.view, rowCount: rows.length } })
      return rows
    },

    caseload: (actor: Actor) => cases.caseload(signedIn(actor).organisationId),

    /** Opens a case owned by the actor's organisation. */
    create(actor: Actor, input: CaseInput) {
      const { organisationId, userId } = signedIn(actor)
      return db.transaction().execute(async (trx) => {
        await checkLeadOfficer(organisationId, input.leadOfficerId, trx)
        const reference = await cases.nextReference(new Date().getFullYear(), trx)
        const created = await cases.insert(
          { reference, title: input.title, type: input.type, priority: input.priority, summary: input.summary ?? null, owningOrganisationId: organisationId, leadOfficerId: input.leadOfficerId ?? null, createdBy: userId },
          trx,
        )
        await recordCaseEvent(trx, actor, { caseId: created.id, kind: 'case', summary: `Case opened: ${reference}` })
        await audit.record(actor, { action: 'case.created', recordType: 'case', recordId: created.id, details: { type: input.type } }, trx)
        return created
      })
    },

    /**
     * The case for its page, a form (`page` names it) or the API; every read is audited. `audit: false` only for the
     * answer to a change, which is audited as the change.
     */
    async get(actor: Actor, caseId: string, options: { audit?: boolean; page?: string } = {}) {
      const { organisationId } = signedIn(actor)
      const record = await cases.findVisible(organisationId, caseId)
      if (!record) throw new NotFoundError('Case not found')
      if (options.audit !== false) await audit.record(actor, { action: 'case.viewed', recordType: 'case', recordId: caseId, ...(options.page ? { details: { page: options.page } } : {}) })
      return { ...record, isOwner: record.owningOrganisationId === organisationId }
    },

    /** The case for a form that changes it: refused (403, or 409 when closed) unless the actor may do that change. */
    async getFor(actor: Actor, caseId: string, action: CaseAction, options: { allowClosed?: boolean; page?: string } = {}) {
      await requireCase(db, actor, caseId, action, { allowClosed: options.allowClosed })
      // A form page that shows the case is a read (audited with the form's name); a check before a change is not.
      return this.get(actor, caseId, options.page ? { page: options.page } : { audit: false })
    },

    /** Everything the case page shows beside the record; restricted notes and timeline lines only for the owner. */
    async details(actor: Actor, caseId: string) {
      const access = await requireCase(db, actor, caseId, 'read')
      const [notes, timeline, shares, viewers, callbacks] = await Promise.all([
        cases.notes(caseId, access.isOwner),
        cases.timeline(caseId, access.isOwner),
        cases.liveShares(caseId),
        access.isOwner ? cases.viewers(caseId) : Promise.resolve([]),
        cases.callbacks(caseId),
      ])
      return { notes, timeline, shares, viewers, callbacks, right: access.right }
    },

    /** Everything a printed case summary holds: what the user may see on the case page, no more. */
    async summary(actor: Actor, caseId: string) {
      const { organisationId } = signedIn(actor)
      const record = await cases.findVisible(organisationId, caseId)
      if (!record) throw new NotFoundError('Case not found')
      const isOwner = record.owningOrganisationId === organisationId
      const [records, notes, timeline, tasks] = await Promise.all([
        cases.summaryRecords(caseId),
        cases.notes(caseId, isOwner),
        cases.timeline(caseId, isOwner),
        caseTasks.forCase(caseId),
      ])
      await audit.record(actor, { action: 'case.summary_exported', recordType: 'case', recordId: caseId, details: { format: 'pdf' } })
      return { record, ...records, notes, timeline, tasks }
    },

    update(actor: Actor, caseId: string, version: number, input: CaseInput) {
      return db.transaction().execute(async (trx) => {
        const access = await requireCase(trx, actor, caseId, 'editCase')
        const current = await trx.selectFrom('cases').selectAll().where('id', '=', caseId).executeTakeFirstOrThrow()
        if (current.version !== version) throw new ConflictError(STALE_EDIT_MESSAGE)
        await checkLeadOfficer(access.owningOrganisationId, input.leadOfficerId, trx)
        const next = { title: input.title, type: input.type, priority: input.priority, summary: input.summary ?? null, lead_officer_id: input.leadOfficerId ?? null }
        const changes = fieldChanges(current as unknown as Record<string, unknown>, next)
        if (changes.length === 0) return
        if (!(await cases.updateVersioned(caseId, version, next, trx))) throw new ConflictError(STALE_EDIT_MESSAGE)
        await recordCaseEvent(trx, actor, { caseId, kind: 'case', summary: `Case details changed: ${changes.map((change) => change.field.replace(/_id$/, '').replace(/_/g, ' ')).join(', ')}`, changes })
        await audit.record(actor, { action: 'case.updated', recordType: 'case', recordId: caseId, details: { fields: changes.map((change) => change.field) } }, trx)
      })
    },

    changeStatus(actor: Actor, caseId: string, version: number, status: CaseStatus) {
      return db.transaction().execute(async (trx) => {
        const access = await requireCase(trx, actor, caseId, 'changeStatus')
        if (access.version !== version) throw new ConflictError(STALE_EDIT_MESSAGE)
        const from = access.status as CaseStatus
        if (!STATUS_TRANSITIONS[from].includes(status)) throw new RuleError('status', `A case that is ${CASE_STATUSES[from].toLowerCase()} cannot be moved to ${CASE_STATUSES[status].toLowerCase()}`)
        const record = await trx.selectFrom('cases').select('type').where('id', '=', caseId).executeTakeFirstOrThrow()
        if (record.type === 'victim_centred' && !(await cases.hasVictim(caseId, trx))) throw new RuleError('status', NEEDS_VICTIM)
        if (!(await cases.updateVersioned(caseId, version, { status }, trx))) throw new ConflictError(STALE_EDIT_MESSAGE)
        await recordCaseEvent(trx, actor, { caseId, kind: 'status', summary: `Status changed from ${CASE_STATUSES[from].toLowerCase()} to ${CASE_STATUSES[status].toLowerCase()}`, changes: [{ field: 'status', from, to: status }] })
        await audit.record(actor, { action: 'case.status_changed', recordType: 'case', recordId: caseId, details: { from, to: status } }, trx)
      })
    },

    close(actor: Actor, caseId: string, input: CloseInput) {
      return db.transaction().execute(async (trx) => {
        const access = await requireCase(trx, actor, caseId, 'closeCase')
        if (access.version !== input.version) throw new ConflictError(STALE_EDIT_MESSAGE)
        const record = await trx.selectFrom('cases').select('type').where('id', '=', caseId).executeTakeFirstOrThrow()
        if (record.type === 'victim_centred' && !(await cases.hasVictim(caseId, trx))) throw new RuleError('outcome', NEEDS_VICTIM)
        const openTasks = await trx.selectFrom('tasks').select('id').where('case_id', '=', caseId).where('status', '=', 'open').execute()
        if (openTasks.length > 0) throw new RuleError('outcome', `Complete or cancel the ${openTasks.length === 1 ? 'open task' : `${openTasks.length} open tasks`} before closing the case`)
        const ok = await cases.updateVersioned(
          caseId,
          input.version,
          { status: 'closed', closed_at: new Date(), closure_outcome: input.outcome, closure_reason: input.reason, victim_satisfaction: input.satisfaction },
          trx,
        )
        if (!ok) throw new ConflictError(STALE_EDIT_MESSAGE)
        await recordCaseEvent(trx, actor, { caseId, kind: 'status', summary: `Case closed: ${CLOSURE_OUTCOMES[input.outcome]}`, changes: [{ field: 'status', from: access.status, to: 'closed' }] })
        await audit.record(actor, { action: 'case.closed', recordType: 'case', recordId: caseId, details: { outcome: input.outcome, satisfaction: input.satisfaction } }, trx)
      })
    },

    reopen(actor: Actor, caseId: string, version: number, reason: string) {
      return db.transaction().execute(async (trx) => {
        const access = await requireCase(trx, actor, caseId, 'reopenCase', { allowClosed: true })
        if (access.status !== 'closed') throw new RuleError('reason', 'This case is not closed')
        if (access.version !== version) throw new ConflictError(STALE_EDIT_MESSAGE)
        const ok = await cases.updateVersioned(caseId, version, { status: 'open', closed_at: null, closure_outcome: null, closure_reason: null, victim_satisfaction: null }, trx)
        if (!ok) throw new ConflictError(STALE_EDIT_MESSAGE)
        await recordCaseEvent(trx, actor, { caseId, kind: 'status', summary: `Case reopened: ${reason}`, changes: [{ field: 'status', from: 'closed', to: 'open' }] })
        await audit.record(actor, { action: 'case.reopened', recordType: 'case', recordId: caseId }, trx)
      })
    },

    addNote(actor: Actor, caseId: string, input: NoteInput) {
      const { organisationId, userId } = signedIn(actor)
      return db.transaction().execute(async (trx) => {
        const access = await requireCase(trx, actor, caseId, 'addNote')
        // Only the owner may restrict a note: a restriction is a promise that other partners will not see it.
        if (input.restricted && !access.isOwner) throw new RuleError('restricted', 'Only the organisation that owns the case can restrict a note')
        const note = await cases.insertNote({ caseId, body: input.body, restricted: input.restricted, authorId: userId, organisationId }, trx)
        await recordCaseEvent(trx, actor, { caseId, kind: 'note', summary: input.restricted ? 'Restricted note added' : 'Note added', restricted: input.restricted })
        await audit.record(actor, { action: 'case.note_added', recordType: 'case', recordId: caseId, details: { noteId: note.id, restricted: input.restricted } }, trx)
        return note.id
      })
    },

    /** Shares the case with the rights the owner chose; sharing again with the same organisation changes the rights. */
    share(actor: Actor, caseId: string, input: { organisationId: string; reason: string; access: ShareAccess }) {
      const { userId } = signedIn(actor)
      return db.transaction().execute(async (trx) => {
        const access = await requireCase(trx, actor, caseId, 'shareCase')
        if (input.organisationId === access.owningOrganisationId) throw new RuleError('organisationId', 'The case already belongs to this organisation')
        const organisation = await cases.activeOrganisation(input.organisationId, trx)
        if (!organisation) throw new RuleError('organisationId', 'Select the organisation to share the case with')
        const label = SHARE_ACCESS[input.access].label.toLowerCase()
        const existing = await cases.liveShare(caseId, input.organisationId, trx)
        if (existing?.access === input.access) throw new RuleError('organisationId', `The case is already shared with ${organisation.name} (${label})`)
        if (existing) {
          await cases.changeShareAccess(existing.id, input.access, trx)
          await recordCaseEvent(trx, actor, { caseId, kind: 'sharing', summary: `Sharing with ${organisation.name} changed to ${label}: ${input.reason}` })
          await audit.record(actor, { action: 'case.share_changed', recordType: 'case', recordId: caseId, details: { organisationId: input.organisationId, from: existing.access, to: input.access } }, trx)
          return
        }
        await cases.insertShare({ caseId, organisationId: input.organisationId, reason: input.reason, sharedBy: userId, access: input.access }, trx)
        await recordCaseEvent(trx, actor, { caseId, kind: 'sharing', summary: `Shared with ${organisation.name} (${label}): ${input.reason}` })
        await audit.record(actor, { action: 'case.shared', recordType: 'case', recordId: caseId, details: { organisationId: input.organisationId, access: input.access } }, trx)
      })
    },

    revokeShare(actor: Actor, caseId: string, shareId: string) {
      const { userId } = signedIn(actor)
      return db.transaction().execute(async (trx) => {
        await requireCase(trx, actor, caseId, 'shareCase', { allowClosed: true })
        const revoked = await cases.revokeShare(caseId, shareId, userId, trx)
        if (!revoked) throw new NotFoundError('Share not found')
        const organisation = await trx.selectFrom('organisations').select('name').where('id', '=', revoked.organisationId).executeTakeFirstOrThrow()
        await recordCaseEvent(trx, actor, { caseId, kind: 'sharing', summary: `Stopped sharing with ${organisation.name}` })
        await audit.record(actor, { action: 'case.share_revoked', recordType: 'case', recordId: caseId, details: { organisationId: revoked.organisationId } }, trx)
      })
    },

    recordCallback(actor: Actor, caseId: string, input: { reached: boolean; satisfaction?: string; notes?: string }) {
      const { userId } = signedIn(actor)
      return db.transaction().execute(async (trx) => {
        // Call-backs often follow closure, so a closed case still takes them.
        await requireCase(trx, actor, caseId, 'recordCallback', { allowClosed: true })
        if (input.reached && !input.satisfaction) throw new RuleError('satisfaction', 'Select how satisfied they were')
        await cases.insertCallback({ caseId, reached: input.reached, satisfaction: input.reached ? (input.satisfaction ?? null) : null, notes: input.notes ?? null, calledBy: userId }, trx)
        await recordCaseEvent(trx, actor, { caseId, kind: 'callback', summary: input.reached ? 'Call-back made' : 'Call-back attempted: not reached' })
        await audit.record(actor, { action: 'case.callback_recorded', recordType: 'case', recordId: caseId }, trx)
      })
    },

    /** Organisations a case can be shared with. */
    shareableOrganisations: (owningOrganisationId: string) =>
      db.selectFrom('organisations').select(['id', 'name']).where('active', '=', true).where('id', '<>', owningOrganisationId).orderBy('name').execute(),
  }
}

export type CasesService = ReturnType<typeof casesService>
