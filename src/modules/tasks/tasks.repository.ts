import { sql } from 'kysely'
import type { Executor } from '../../platform/db/executor.js'
import type { ShareAccess } from '../../platform/db/schema.js'
import { visibleCaseIds } from '../cases/case-access.js'

/** The only SQL for tasks on cases. */
export function tasksRepository(db: Executor) {
  const withNames = (executor: Executor) =>
    executor
      .selectFrom('tasks')
      .innerJoin('cases', 'cases.id', 'tasks.case_id')
      .innerJoin('users as assignee', 'assignee.id', 'tasks.assigned_to')
      .innerJoin('organisations as assigneeOrganisation', 'assigneeOrganisation.id', 'tasks.assigned_organisation_id')
      .leftJoin('users as completer', 'completer.id', 'tasks.completed_by')
      .select([
        'tasks.id',
        'tasks.case_id as caseId',
        'cases.reference as caseReference',
        'tasks.title',
        'tasks.details',
        'tasks.assigned_to as assignedTo',
        'assignee.name as assigneeName',
        'assigneeOrganisation.name as assigneeOrganisationName',
        'tasks.due_on as dueOn',
        'tasks.status',
        'tasks.completed_at as completedAt',
        'completer.name as completedByName',
        'tasks.outcome',
        sql<boolean>`tasks.status = 'open' and tasks.due_on < current_date`.as('overdue'),
      ])

  return {
    /** A user's tasks: open ones first, overdue at the top, then the most recently finished. */
    forUser(userId: string, organisationId: string, executor: Executor = db) {
      return withNames(executor)
        .where('tasks.assigned_to', '=', userId)
        .where('tasks.case_id', 'in', visibleCaseIds(executor, organisationId))
        .where((eb) => eb.or([eb('tasks.status', '=', 'open'), eb('tasks.completed_at', '>', sql<Date>`now() - interval '30 days'`)]))
        .orderBy(sql`tasks.status = 'open'`, 'desc')
        .orderBy('tasks.due_on', 'asc')
        .orderBy('tasks.created_at', 'asc')
        .limit(200)
        .execute()
    },

    forCase(caseId: string, executor: Executor = db) {
      return withNames(executor).where('tasks.case_id', '=', caseId).orderBy(sql`tasks.status = 'open'`, 'desc').orderBy('tasks.due_on', 'asc').execute()
    },

    find(taskId: string, executor: Executor = db) {
      return withNames(executor).where('tasks.id', '=', taskId).executeTakeFirst()
    },

    insert(values: { caseId: string; title: string; details: string | null; assignedTo: string; assignedOrganisationId: string; dueOn: string; createdBy: string }, executor: Executor = db) {
      return executor
        .insertInto('tasks')
        .values({ case_id: values.caseId, title: values.title, details: values.details, assigned_to: values.assignedTo, assigned_organisation_id: values.assignedOrganisationId, due_on: values.dueOn, created_by: values.createdBy })
        .returning('id')
        .executeTakeFirstOrThrow()
    },

    /** The live share of a case with an organisation, if any. */
    liveShare(caseId: string, organisationId: string, executor: Executor = db) {
      return executor.selectFrom('case_shares').select(['id', 'access']).where('case_id', '=', caseId).where('organisation_id', '=', organisationId).where('revoked_at', 'is', null).executeTakeFirst()
    },

    insertShare(values: { caseId: string; organisationId: string; reason: string; sharedBy: string; access: ShareAccess }, executor: Executor = db) {
      return executor.insertInto('case_shares').values({ case_id: values.caseId, organisation_id: values.organisationId, reason: values.reason, shared_by: values.sharedBy, access: values.access }).execute()
    },

    raiseShare(shareId: string, access: ShareAccess, executor: Executor = db) {
      return executor.updateTable('case_shares').set({ access }).where('id', '=', shareId).execute()
    },

    async finish(taskId: string, status: 'done' | 'cancelled', userId: string, outcome: string | null, executor: Executor = db) {
      const result = await executor
        .updateTable('tasks')
        .set({ status, completed_at: status === 'done' ? new Date() : null, completed_by: userId, outcome })
        .where('id', '=', taskId)
        .where('status', '=', 'open')
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },

    /** Officers of any partner organisation who can be given a task: active case managers. */
    assignableOfficers(executor: Executor = db) {
      return executor
        .selectFrom('users')
        .innerJoin('organisations', 'organisations.id', 'users.organisation_id')
        .where('users.active', '=', true)
        .where('organisations.active', '=', true)
        .where(sql<boolean>`'case_manager' = any(users.roles)`)
        .select(['users.id', 'users.name', 'users.organisation_id as organisationId', 'organisations.name as organisationName'])
        .orderBy('organisations.name')
        .orderBy('users.name')
        .execute()
    },
  }
}

export type TasksRepository = ReturnType<typeof tasksRepository>
