import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { isRealDate } from '../../platform/dates.js'
import type { Services } from '../../composition.js'
import { actorOf } from '../../platform/http/actor.js'
import { parseForm } from '../../platform/http/forms.js'
import { AUDIT_ACTIONS } from './audit.events.js'
import type { ChainBreakReason } from './audit.service.js'

const access = { access: 'audit:read' } as const
const CHAIN_BREAK_REASONS: Record<ChainBreakReason, string> = {
  changed: 'An entry was changed',
  missing: 'Entries were removed',
  inserted: 'An entry was slipped in or replaced',
}
const isoDate = (name: string) =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, `${name} must be a date like 2026-11-23`)
    .refine((value) => isRealDate(value) && Number(value.slice(0, 4)) >= 1, `${name} must be a real date`)
const blankToUndefined = (value: unknown) => (value === '' ? undefined : value)
const filterSchema = z.object({
  userId: z.preprocess(blankToUndefined, z.uuid({ error: 'Select a user from the list' }).optional()),
  organisationId: z.preprocess(blankToUndefined, z.uuid({ error: 'Select an organisation from the list' }).optional()),
  recordType: z.preprocess(blankToUndefined, z.string().max(50, 'Record type must be 50 characters or fewer').optional()),
  recordId: z.preprocess(blankToUndefined, z.string().max(100, 'Record id must be 100 characters or fewer').optional()),
  action: z.preprocess(blankToUndefined, z.enum(Object.keys(AUDIT_ACTIONS) as [keyof typeof AUDIT_ACTIONS], { error: 'Select an action from the list' }).optional()),
  from: z.preprocess(blankToUndefined, isoDate('From date').optional()),
  to: z.preprocess(blankToUndefined, isoDate('To date').optional()),
})
const pageSchema = z.object({ page: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).default(1)) })

const auditEventResponse = z.object({
  id: z.number(),
  occurredAt: z.date(),
  userId: z.string().nullable(),
  userName: z.string().nullable(),
  organisationId: z.string().nullable(),
  organisationName: z.string().nullable(),
  action: z.string(),
  recordType: z.string().nullable(),
  recordId: z.string().nullable(),
  ip: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
})

export async function auditRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { audit, users, organisations } = services

  app.get('/audit', { config: access }, async (request, reply) => {
    const query = (request.query ?? {}) as Record<string, unknown>
    const parsed = parseForm(filterSchema, query)
    const page = pageSchema.safeParse(query)
    const filter = parsed.ok ? parsed.value : {}
    const errors = parsed.ok ? undefined : parsed.errors
    const [result, userList, organisationList] = await Promise.all([
      audit.search(actorOf(request), filter, page.success ? page.data.page : 1),
      users.list({ includeInactive: true }),
      organisations.list({ includeInactive: true }),
    ])
    const search = new URLSearchParams(Object.entries(filter).filter(([, value]) => value) as [string, string][])
    return reply.code(errors ? 400 : 200).render('audit/views/audit.njk', {
      title: 'Audit log',
      errors,
      values: query,
      result,
      actions: AUDIT_ACTIONS,
      exportHref: `/audit/export.csv${search.size ? `?${search}` : ''}`,
      pageHref: (n: number) => `/audit?${new URLSearchParams([...search, ['page', String(n)]])}`,
      userItems: [{ value: '', text: 'Anyone' }, ...userList.map((u) => ({ value: u.id, text: `${u.name} (${u.organisationName})`, selected: u.id === filter.userId }))],
      organisationItems: [{ value: '', text: 'Any organisation' }, ...organisationList.map((o) => ({ value: o.id, text: o.name, selected: o.id === filter.organisationId }))],
      actionItems: [{ value: '', text: 'Any action' }, ...Object.entries(AUDIT_ACTIONS).map(([value, text]) => ({ value, text, selected: value === filter.action }))],
    })
  })

  const api = app.withTypeProvider<ZodTypeProvider>()

  app.get('/admin/audit-check', { config: { access: 'audit:verify' } }, async (request, reply) => {
    const result = await audit.checkChain(actorOf(request))
    return reply.render('audit/views/audit-check.njk', { title: 'Check the audit log', result, reasons: CHAIN_BREAK_REASONS })
  })

  api.get(
    '/audit/export.csv',
    { config: access, schema: { querystring: filterSchema, hide: true } },
    async (request, reply) => {
      const csv = await audit.exportCsv(actorOf(request), request.query)
      const stamp = new Date().toISOString().slice(0, 10)
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="audit-log-${stamp}.csv"`).send(csv)
    },
  )

  api.get(
    '/api/v1/audit-events',
    {
      config: access,
      schema: {
        summary: 'Search the audit log, newest first, 50 a page',
        tags: ['Audit'],
        querystring: filterSchema.extend(pageSchema.shape),
        response: { 200: z.object({ total: z.number(), page: z.number(), pages: z.number(), events: z.array(auditEventResponse) }) },
      },
    },
    async (request) => {
      const { page, ...filter } = request.query
      const result = await audit.search(actorOf(request), filter, page)
      return { total: result.total, page: result.page, pages: result.pages, events: result.rows.map((row) => auditEventResponse.parse(row)) }
    },
  )
}
