import type { Kysely } from 'kysely'
import { todayInLondon } from '../../platform/dates.js'
import type { DB } from '../../platform/db/schema.js'
import { signedIn } from '../../platform/http/actor.js'
import { ConflictError, ForbiddenError, NotFoundError, RuleError } from '../../platform/http/errors.js'
import type { Actor } from '../audit/audit.events.js'
import type { AuditService } from '../audit/audit.service.js'
import { recordCaseEvent, requireCase, SHARE_ACCESS } from '../cases/case-access.js'
import { tasksRepository } from './tasks.repository.js'

export function tasksService({ db, audit }: { db: Kysely<DB>; audit: Pick<AuditService, 'record'> }) {
  const tasks = tasksRepository(db)

  return {
    /** The actor's tasks across cases; audited, as each names a case and often a person. */
    async mine(actor: Actor) {
      const { userId, organisationId } = signedIn(actor)
      const rows = await tasks.forUser(userId, organisationId)
      await audit.record(actor, { action: 'tasks.listed', recordType: 'task', details: { view: 'mine', count: rows.length } })
      return rows
    },

    /** Audited; `audit: false` for the case page, whose one row is the case read. */
    async forCase(actor: Actor, caseId: string, options: { audit?: boolean } = {}) {
      await requireCase(db, actor, caseId, 'read')
      const rows = await tasks.forCase(caseId)
      if (options.audit !== false) await audit.record(actor, { action: 'tasks.listed', recordType: 'case', recordId: caseId, details: { view: 'case', count: rows.length } })
      return rows
    },

    assignableOfficers: () => tasks.assignableOfficers(),

    /**
     * Gives a task to an officer of any partner. Unless their organisation may already add to the case, the case is
     * shared with it (read and contribute), with the task as the recorded reason: they cannot do the task otherwise.
     */
    assign(actor: Actor, caseId: string, input: { title: string; details?: string; assignedTo: string; dueOn: string }) {
      const { userId } = signedIn(actor)
      return db.transaction().execute(async (trx) => {
        const access = await requireCase(trx, actor, caseId, 'assignTask')
        const officer = (await tasks.assignableOfficers(trx)).find((candidate) => candidate.id === input.assignedTo)
        if (!officer) throw new RuleError('assignedTo', 'Select an officer who manages cases')
        if (input.dueOn < todayInLondon()) throw new RuleError('dueOn', 'The due date must be today or in the future')
        const task = await tasks.insert({ caseId, title: input.title, details: input.details ?? null, assignedTo: officer.id, assignedOrganisationId: officer.organisationId, dueOn: input.dueOn, createdBy: userId }, trx)
        // The task's work needs at least contribute (complete it, add a note or a document): a share made for it, or a
        // read share, is given that; a fuller share is left as the owner chose it.
        if (officer.organisationId !== access.owningOrganisationId) {
          const share = await tasks.liveShare(caseId, officer.organisationId, trx)
          if (!share) {
            await tasks.insertShare({ caseId, organisationId: officer.organisationId, reason: `Task assigned: ${input.title}`, sharedBy: userId, access: 'contribute' }, trx)
            await recordCaseEvent(trx, actor, { caseId, kind: 'sharing', summary: `Shared with ${officer.organisationName} (${SHARE_ACCESS.contribute.label.toLowerCase()}) so that ${officer.name} can do a task` })
            await audit.record(actor, { action: 'case.shared', recordType: 'case', recordId: caseId, details: { organisationId: officer.organisationId, taskId: task.id, access: 'contribute' } }, trx)
          } else if (share.access === 'read') {
            await tasks.raiseShare(share.id, 'contribute', trx)
            await recordCaseEvent(trx, actor, { caseId, kind: 'sharing', summary: `Sharing with ${officer.organisationName} changed to ${SHARE_ACCESS.contribute.label.toLowerCase()} so that ${officer.name} can do a task` })
            await audit.record(actor, { action: 'case.share_changed', recordType: 'case', recordId: caseId, details: { organisationId: officer.organisationId, taskId: task.id, from: 'read', to: 'contribute' } }, trx)
          }
        }
        await recordCaseEvent(trx, actor, { caseId, kind: 'task', summary: `Task for ${officer.name} (${officer.organisationName}), due ${input.dueOn}: ${input.title}` })
        await audit.record(actor, { action: 'task.assigned', recordType: 'task', recordId: task.id, details: { caseId, assignedTo: officer.id } }, trx)
        return task.id
      })
    },

    /** The assignee, or the owning organisation, finishes a task. */
    finish(actor: Actor, taskId: string, status: 'done' | 'cancelled', outcome?: string) {
      const { userId } = signedIn(actor)
      return db.transaction().execute(async (trx) => {
        const task = await tasks.find(taskId, trx)
        if (!task) throw new NotFoundError('Task not found')
        const access = await requireCase(trx, actor, task.caseId, 'completeTask').catch((error: unknown) => {
          if (error instanceof NotFoundError) throw new NotFoundError('Task not found')
          throw error
        })
        if (status === 'done' && task.assignedTo !== userId && !access.isOwner) throw new ForbiddenError('Only the officer the task is assigned to, or the organisation that owns the case, can complete it')
        if (status === 'cancelled' && !access.isOwner) throw new ForbiddenError('Only the organisation that owns the case can cancel a task')
        if (!(await tasks.finish(taskId, status, userId, outcome ?? null, trx))) throw new ConflictError('This task has already been completed or cancelled')
        await recordCaseEvent(trx, actor, { caseId: task.caseId, kind: 'task', summary: `${status === 'done' ? 'Task completed' : 'Task cancelled'}: ${task.title}${outcome ? ` (${outcome})` : ''}` })
        await audit.record(actor, { action: status === 'done' ? 'task.completed' : 'task.cancelled', recordType: 'task', recordId: taskId, details: { caseId: task.caseId } }, trx)
        return task.caseId
      })
    },
  }
}

export type TasksService = ReturnType<typeof tasksService>
