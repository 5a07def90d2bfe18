import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Services } from '../../composition.js'
import { actorOf } from '../../platform/http/actor.js'
import { dateFromParts } from '../../platform/http/date-input.js'
import { ConflictError, RuleError } from '../../platform/http/errors.js'
import { type FormErrors, parseForm, ruleErrors } from '../../platform/http/forms.js'
import { completeTaskInput, taskInput } from '../cases/cases.schemas.js'

const read = { access: 'cases:read' } as const
const manage = { access: 'cases:manage' } as const
const caseParams = z.object({ id: z.uuid({ error: 'Case id must be a UUID' }) })
const taskParams = z.object({ taskId: z.uuid({ error: 'Task id must be a UUID' }) })

const taskResponse = z.object({
  id: z.uuid(),
  caseId: z.uuid(),
  caseReference: z.string(),
  title: z.string(),
  details: z.string().nullable(),
  assignedTo: z.uuid(),
  assigneeName: z.string(),
  assigneeOrganisationName: z.string(),
  dueOn: z.string(),
  status: z.string(),
  overdue: z.boolean(),
  completedAt: z.date().nullable(),
  outcome: z.string().nullable(),
})

export async function taskRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { tasks, cases } = services
  const api = app.withTypeProvider<ZodTypeProvider>()

  app.get('/tasks', { config: read }, async (request, reply) => {
    const mine = await tasks.mine(actorOf(request))
    return reply.render('tasks/views/mine.njk', { title: 'My tasks', open: mine.filter((task) => task.status === 'open'), finished: mine.filter((task) => task.status !== 'open'), notice: (request.query as Record<string, string | undefined>).notice })
  })

  const renderAssign = async (request: FastifyRequest, reply: FastifyReply, caseId: string, values: Record<string, unknown>, errors?: FormErrors) => {
    const record = await cases.getFor(actorOf(request), caseId, 'assignTask', { page: 'assign_task' })
    const officers = await tasks.assignableOfficers()
    return reply.render('tasks/views/assign.njk', {
      title: `Assign a task on ${record.reference}`,
      caseRecord: record,
      values,
      errors,
      officerItems: [{ value: '', text: 'Choose an officer' }, ...officers.map((officer) => ({ value: officer.id, text: `${officer.name} (${officer.organisationName})`, selected: officer.id === values.assignedTo }))],
    })
  }

  app.get('/cases/:id/tasks/new', { config: manage, schema: { params: caseParams, hide: true } }, async (request, reply) => renderAssign(request, reply, (request.params as { id: string }).id, {}))

  app.post('/cases/:id/tasks/new', { config: manage, schema: { params: caseParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const values = (request.body ?? {}) as Record<string, unknown>
    const form = parseForm(taskInput, { ...values, dueOn: dateFromParts(values, 'dueOn') })
    if (!form.ok) return renderAssign(request, reply.code(400), id, values, form.errors)
    try {
      await tasks.assign(actorOf(request), id, form.value)
      return reply.redirect(`/cases/${id}?notice=task#tasks`)
    } catch (error) {
      if (error instanceof RuleError) return renderAssign(request, reply.code(400), id, values, ruleErrors(error))
      throw error
    }
  })

  const finishForm = (status: 'done' | 'cancelled') => async (request: FastifyRequest, reply: FastifyReply) => {
    const { taskId } = request.params as { taskId: string }
    const form = parseForm(completeTaskInput, request.body ?? {})
    if (!form.ok) return reply.code(400).render('tasks/views/problem.njk', { title: 'The task was not changed', errors: form.errors })
    try {
      const caseId = await tasks.finish(actorOf(request), taskId, status, form.value.outcome)
      const from = (request.body as Record<string, unknown> | undefined)?.returnTo === 'tasks' ? '/tasks?notice=done' : `/cases/${caseId}?notice=task-${status}#tasks`
      return reply.redirect(from)
    } catch (error) {
      if (error instanceof ConflictError) return reply.code(409).render('tasks/views/problem.njk', { title: 'The task was not changed', errors: { summary: [{ text: error.message, href: '#main-content' }], fields: {} } })
      throw error
    }
  }

  app.post('/tasks/:taskId/complete', { config: manage, schema: { params: taskParams, hide: true } }, finishForm('done'))
  app.post('/tasks/:taskId/cancel', { config: manage, schema: { params: taskParams, hide: true } }, finishForm('cancelled'))

  // API
  const tags = ['Tasks']
  api.get('/api/v1/tasks', { config: read, schema: { summary: 'Your tasks: open ones first, overdue at the top', tags, response: { 200: z.array(taskResponse) } } }, async (request) => {
    return (await tasks.mine(actorOf(request))).map((task) => taskResponse.parse(task))
  })

  api.get('/api/v1/cases/:id/tasks', { config: read, schema: { summary: 'Tasks on a case', tags, params: caseParams, response: { 200: z.array(taskResponse) } } }, async (request) => {
    return (await tasks.forCase(actorOf(request), request.params.id)).map((task) => taskResponse.parse(task))
  })

  api.post('/api/v1/cases/:id/tasks', { config: manage, schema: { summary: 'Assign a task to an officer of any partner (shares the case with their organisation if needed)', tags, params: caseParams, body: taskInput, response: { 201: z.object({ id: z.uuid() }) } } }, async (request, reply) => {
    const id = await tasks.assign(actorOf(request), request.params.id, request.body)
    return reply.code(201).send({ id })
  })

  api.post('/api/v1/tasks/:taskId/complete', { config: manage, schema: { summary: 'Complete a task assigned to you', tags, params: taskParams, body: completeTaskInput, response: { 204: z.null() } } }, async (request, reply) => {
    await tasks.finish(actorOf(request), request.params.taskId, 'done', request.body.outcome)
    return reply.code(204).send(null)
  })
}
