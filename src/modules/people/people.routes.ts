import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Services } from '../../composition.js'
import { actorOf } from '../../platform/http/actor.js'
import { ConflictError, RuleError } from '../../platform/http/errors.js'
import { isoDate } from '../../platform/http/date-input.js'
import { type FormErrors, parseForm, ruleErrors } from '../../platform/http/forms.js'
import { STALE_EDIT_MESSAGE } from '../cases/case-access.js'
import { DuplicatePersonError, type LikelyDuplicate } from './people.service.js'
import {
  DUPLICATE_MESSAGE,
  duplicateResponse,
  formValuesOf,
  PERSON_ROLES,
  type PersonInput,
  personApiChanges,
  personApiInput,
  personForm,
  personResponse,
  personSummaryResponse,
  removeFromCaseInput,
  roleForm,
} from './people.schemas.js'

const read = { access: 'cases:read' } as const
const manage = { access: 'cases:manage' } as const
const idParams = z.object({ id: z.uuid({ error: 'Person id must be a UUID' }) })
const caseParams = z.object({ caseId: z.uuid({ error: 'Case id must be a UUID' }) })
const removeParams = caseParams.extend({ personId: z.uuid({ error: 'Person id must be a UUID' }) })
const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value)
const searchQuery = z.object({
  q: z.preprocess(blankToUndefined, z.string().trim().max(200, 'Search must be 200 characters or fewer').optional()),
  dateOfBirth: z.preprocess(blankToUndefined, isoDate('Date of birth must be a real date in the format YYYY-MM-DD, between 1900 and 2100').optional()),
  address: z.preprocess(blankToUndefined, z.string().trim().max(200, 'Address must be 200 characters or fewer').optional()),
})
const CONFIRM_MESSAGE = 'Select “None of these is the same person”, or choose one of the people listed'

type Values = Record<string, unknown>
const roleItems = (values: Values) => Object.entries(PERSON_ROLES).map(([value, text]) => ({ value, text, checked: values.role === value }))
const toSummary = (person: LikelyDuplicate & { aliases?: string[] }) => personSummaryResponse.parse({ aliases: [], ...person })

export async function peopleRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { people } = services
  const api = app.withTypeProvider<ZodTypeProvider>()

  function renderForm(reply: FastifyReply, context: { title: string; values: Values; errors?: FormErrors; duplicates?: LikelyDuplicate[]; personId?: string; caseRecord?: unknown; mayChange?: boolean }) {
    return reply.render('people/views/form.njk', { ...context, roleItems: roleItems(context.values) })
  }

  /** Parses and saves a new person; re-renders with errors or the duplicate warning. Returns the id when saved. */
  async function createFromForm(
    reply: FastifyReply,
    values: Values,
    save: (input: PersonInput, confirmNotDuplicate: boolean) => Promise<string>,
    context: { title: string; caseRecord?: unknown },
    extraErrors?: FormErrors,
  ): Promise<string | FastifyReply> {
    const form = parseForm(personForm, values)
    if (!form.ok || extraErrors) {
      const errors = mergeErrors(extraErrors, form.ok ? undefined : form.errors)
      return renderForm(reply.code(400), { ...context, values, errors })
    }
    const confirmed = values.confirmNotDuplicate === 'yes'
    try {
      return await save(form.value, confirmed)
    } catch (error) {
      if (error instanceof DuplicatePersonError) {
        // Shown once as a warning; a second save without the box ticked is an error.
        const errors = values.duplicatesShown === 'yes' ? { summary: [{ text: CONFIRM_MESSAGE, href: '#confirmNotDuplicate' }], fields: { confirmNotDuplicate: { text: CONFIRM_MESSAGE } } } : undefined
        return renderForm(reply.code(errors ? 400 : 200), { ...context, values: { ...values, duplicatesShown: 'yes' }, errors, duplicates: error.duplicates })
      }
      if (error instanceof RuleError) return renderForm(reply.code(400), { ...context, values, errors: ruleErrors(error) })
      throw error
    }
  }

  // ---- pages ----

  app.get('/people', { config: read }, async (request, reply) => {
    const values = (request.query ?? {}) as Values
    const parts = ['day', 'month', 'year'].map((part) => String(values[`dateOfBirth-${part}`] ?? '').trim())
    const dateOfBirth = parts.some(Boolean) ? `${parts[2]!.padStart(4, '0')}-${parts[1]!.padStart(2, '0')}-${parts[0]!.padStart(2, '0')}` : undefined
    const parsed = parseForm(searchQuery, { q: values.q, address: values.address, dateOfBirth }, { dateInputs: ['dateOfBirth'] })
    if (!parsed.ok) return reply.code(400).render('people/views/search.njk', { title: 'People', values, errors: parsed.errors })
    const filter = parsed.value
    const searched = Boolean(filter.q || filter.dateOfBirth || filter.address)
    const results = searched ? await people.search(actorOf(request), filter) : []
    return reply.render('people/views/search.njk', { title: 'People', values, results, searched, canManage: request.auth!.permissions.has('cases:manage') })
  })

  app.get('/people/new', { config: manage }, async (_request, reply) => renderForm(reply, { title: 'Add a person', values: {} }))

  app.post('/people/new', { config: manage }, async (request, reply) => {
    const values = (request.body ?? {}) as Values
    const result = await createFromForm(reply, values, (input, confirmNotDuplicate) => people.create(actorOf(request), input, { confirmNotDuplicate }), { title: 'Add a person' })
    return typeof result === 'string' ? reply.redirect(`/people/${result}?notice=created`) : result
  })

  app.get('/people/:id', { config: read, schema: { params: idParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as z.output<typeof idParams>
    const actor = actorOf(request)
    const survivor = await people.survivorIfMerged(actor, id)
    if (survivor) return reply.redirect(`/people/${survivor}?notice=merged-away`)
    const person = await people.view(actor, id)
    return reply.render('people/views/show.njk', {
      title: `${person.givenNames} ${person.familyName}`,
      person,
      roleLabels: PERSON_ROLES,
      canManage: request.auth!.permissions.has('cases:manage'),
      notice: (request.query as Values).notice,
    })
  })

  app.get('/people/:id/edit', { config: manage, schema: { params: idParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as z.output<typeof idParams>
    const person = await people.view(actorOf(request), id, { page: 'edit' })
    return renderForm(reply, { title: 'Change person', values: formValuesOf(person), personId: id, mayChange: person.mayChange })
  })

  app.post('/people/:id/edit', { config: manage, schema: { params: idParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as z.output<typeof idParams>
    const values = (request.body ?? {}) as Values
    const version = Number(values.version)
    await people.view(actorOf(request), id, { page: 'edit' })
    const context = { title: 'Change person', personId: id }
    // The sensitive fields on the form are the organisation's own details (see people.update).
    const form = parseForm(personForm, values)
    if (!form.ok) return renderForm(reply.code(400), { ...context, values, errors: form.errors })
    try {
      await people.update(actorOf(request), id, form.value, Number.isInteger(version) ? version : -1)
      return reply.redirect(`/people/${id}?notice=updated`)
    } catch (error) {
      if (error instanceof RuleError) return renderForm(reply.code(400), { ...context, values, errors: ruleErrors(error) })
      if (error instanceof ConflictError && error.message === STALE_EDIT_MESSAGE) {
        return renderForm(reply.code(409), { ...context, values, errors: { summary: [{ text: STALE_EDIT_MESSAGE, href: `/people/${id}` }], fields: {} } })
      }
      throw error
    }
  })

  async function renderMerge(reply: FastifyReply, request: { query: unknown }, id: string, context: { values: Values; errors?: FormErrors }) {
    const actor = actorOf(reply.request)
    const person = await people.view(actor, id, { page: 'merge' })
    const parsed = searchQuery.safeParse(request.query)
    const q = parsed.success ? parsed.data.q : undefined
    const candidates = q ? await people.search(actor, { q }) : await people.likelyDuplicates(actor, person, id)
    return reply.render('people/views/merge.njk', {
      title: `Merge a duplicate into ${person.givenNames} ${person.familyName}`,
      person,
      q,
      ...context,
      candidateItems: candidates
        .filter((candidate) => candidate.id !== id)
        .map((candidate) => ({
          value: candidate.id,
          text: `${candidate.givenNames} ${candidate.familyName}`,
          hint: { text: [candidate.dateOfBirth ? `Born ${new Date(candidate.dateOfBirth).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })}` : 'Date of birth not known', candidate.address].filter(Boolean).join(', ') },
          checked: context.values.duplicateId === candidate.id,
        })),
    })
  }

  app.get('/people/:id/merge', { config: manage, schema: { params: idParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as z.output<typeof idParams>
    return renderMerge(reply, request, id, { values: {} })
  })

  app.post('/people/:id/merge', { config: manage, schema: { params: idParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as z.output<typeof idParams>
    const values = (request.body ?? {}) as Values
    const form = parseForm(z.object({ duplicateId: z.uuid({ error: 'Select the duplicate record to merge into this one' }) }), values)
    if (!form.ok) return renderMerge(reply.code(400), request, id, { values, errors: form.errors })
    try {
      await people.merge(actorOf(request), id, form.value.duplicateId)
      return reply.redirect(`/people/${id}?notice=merged`)
    } catch (error) {
      if (error instanceof RuleError) return renderMerge(reply.code(400), request, id, { values, errors: ruleErrors(error) })
      throw error
    }
  })

  // ---- people on a case ----

  async function renderAddToCase(reply: FastifyReply, caseId: string, context: { values: Values; errors?: FormErrors; duplicates?: LikelyDuplicate[]; newPerson?: boolean; q?: string }) {
    const actor = actorOf(reply.request)
    await services.cases.getFor(actor, caseId, 'addPerson')
    const caseRecord = { id: caseId }
    if (context.newPerson) {
      return renderForm(reply, { title: 'Add someone new to the case', values: context.values, errors: context.errors, duplicates: context.duplicates, caseRecord })
    }
    const results = context.q ? await people.search(actor, { q: context.q }) : []
    return reply.render('people/views/add-to-case.njk', {
      title: 'Add a person to the case',
      caseRecord,
      ...context,
      searched: Boolean(context.q),
      roleItems: roleItems(context.values),
      personItems: results.map((person) => ({
        value: person.id,
        text: `${person.givenNames} ${person.familyName}`,
        hint: { text: [person.dateOfBirth ? `Born ${person.dateOfBirth}` : 'Date of birth not known', person.address].filter(Boolean).join(', ') },
        checked: context.values.personId === person.id,
      })),
    })
  }

  app.get('/cases/:caseId/people/new', { config: manage, schema: { params: caseParams, hide: true } }, async (request, reply) => {
    const { caseId } = request.params as z.output<typeof caseParams>
    const query = (request.query ?? {}) as Values
    const q = typeof query.q === 'string' && query.q.trim() ? query.q.trim().slice(0, 200) : undefined
    return renderAddToCase(reply, caseId, { values: { q }, q, newPerson: query.new === '1' })
  })

  app.post('/cases/:caseId/people/new', { config: manage, schema: { params: caseParams, hide: true } }, async (request, reply) => {
    const { caseId } = request.params as z.output<typeof caseParams>
    const values = (request.body ?? {}) as Values
    const actor = actorOf(request)
    const role = parseForm(roleForm, values)
    const done = () => reply.redirect(`/cases/${caseId}?notice=person-added`)

    if (values.mode === 'new') {
      await services.cases.getFor(actor, caseId, 'addPerson')
      const context = { title: 'Add someone new to the case', caseRecord: { id: caseId } }
      const result = await createFromForm(
        reply,
        values,
        (input, confirmNotDuplicate) => {
          if (!role.ok) throw new Error('unreachable')
          return people.addToCase(actor, caseId, { ...role.value, person: input, confirmNotDuplicate })
        },
        context,
        role.ok ? undefined : role.errors,
      )
      return typeof result === 'string' ? done() : result
    }

    const q = typeof values.q === 'string' ? values.q : undefined
    const picked = parseForm(z.object({ personId: z.uuid({ error: 'Select the person to add' }) }), values)
    if (!role.ok || !picked.ok) {
      return renderAddToCase(reply.code(400), caseId, { values, q, errors: mergeErrors(role.ok ? undefined : role.errors, picked.ok ? undefined : picked.errors) })
    }
    try {
      await people.addToCase(actor, caseId, { ...role.value, personId: picked.value.personId })
      return done()
    } catch (error) {
      if (error instanceof RuleError) return renderAddToCase(reply.code(400), caseId, { values, q, errors: ruleErrors(error) })
      throw error
    }
  })

  const renderRemove = async (request: FastifyRequest, reply: FastifyReply, values: Values, errors?: FormErrors) => {
    const { caseId, personId } = request.params as z.output<typeof removeParams>
    const role = removeFromCaseInput.shape.role.safeParse(values.role)
    const { caseRecord, person } = await people.removeFromCaseForm(actorOf(request), caseId, personId, role.success ? role.data : undefined)
    return reply.render('people/views/remove-from-case.njk', { title: `Remove ${person.name} from ${caseRecord.reference}`, caseRecord, person, values, errors })
  }

  app.get('/cases/:caseId/people/:personId/remove', { config: manage, schema: { params: removeParams, hide: true } }, async (request, reply) => renderRemove(request, reply, (request.query ?? {}) as Values))

  app.post('/cases/:caseId/people/:personId/remove', { config: manage, schema: { params: removeParams, hide: true } }, async (request, reply) => {
    const { caseId, personId } = request.params as z.output<typeof removeParams>
    const values = (request.body ?? {}) as Values
    const form = parseForm(removeFromCaseInput, values)
    if (!form.ok) return renderRemove(request, reply.code(400), values, form.errors)
    await people.removeFromCase(actorOf(request), caseId, personId, form.value.role, form.value.reason)
    return reply.redirect(`/cases/${caseId}?notice=person-removed`)
  })

  // ---- API ----

  api.get(
    '/api/v1/people',
    { config: read, schema: { summary: 'Search people (typo-tolerant names, date of birth, address)', tags: ['People'], querystring: searchQuery, response: { 200: z.array(personSummaryResponse) } } },
    async (request) => (await people.search(actorOf(request), request.query)).map(toSummary),
  )

  api.get('/api/v1/people/:id', { config: read, schema: { summary: 'One person, with the cases and incidents you may see', tags: ['People'], params: idParams, response: { 200: personResponse } } }, async (request) =>
    personResponse.parse(await people.view(actorOf(request), request.params.id)),
  )

  api.post(
    '/api/v1/people',
    {
      config: manage,
      schema: {
        summary: 'Add a person. Likely duplicates are refused with 409 and their ids, unless confirmNotDuplicate is true',
        tags: ['People'],
        body: personApiInput,
        response: { 201: personResponse, 409: duplicateResponse },
      },
    },
    async (request, reply) => {
      const { confirmNotDuplicate, ...input } = request.body
      try {
        const id = await people.create(actorOf(request), input, { confirmNotDuplicate })
        return reply.code(201).send(personResponse.parse(await people.view(actorOf(request), id)))
      } catch (error) {
        if (error instanceof DuplicatePersonError) {
          return reply.code(409).send({ statusCode: 409 as const, error: 'Conflict', message: DUPLICATE_MESSAGE, duplicateIds: error.duplicates.map((duplicate) => duplicate.id) })
        }
        throw error
      }
    },
  )

  api.patch(
    '/api/v1/people/:id',
    { config: manage, schema: { summary: 'Change a person; send the version you read', tags: ['People'], params: idParams, body: personApiChanges, response: { 200: personResponse } } },
    async (request) => {
      const { version, ...changes } = request.body
      await people.update(actorOf(request), request.params.id, changes, version)
      return personResponse.parse(await people.view(actorOf(request), request.params.id))
    },
  )

  api.post(
    '/api/v1/cases/:caseId/people/:personId/remove',
    {
      config: manage,
      schema: { summary: 'Remove a person from a case in one role, giving the reason (kept on the case timeline)', tags: ['People'], params: removeParams, body: removeFromCaseInput, response: { 204: z.null() } },
    },
    async (request, reply) => {
      await people.removeFromCase(actorOf(request), request.params.caseId, request.params.personId, request.body.role, request.body.reason)
      return reply.code(204).send(null)
    },
  )

  api.post(
    '/api/v1/people/:id/merge',
    {
      config: manage,
      schema: {
        summary: 'Merge a duplicate into this person: every link moves here and the duplicate redirects here',
        tags: ['People'],
        params: idParams,
        body: z.object({ duplicateId: z.uuid() }),
        response: { 200: personResponse },
      },
    },
    async (request) => {
      await people.merge(actorOf(request), request.params.id, request.body.duplicateId)
      return personResponse.parse(await people.view(actorOf(request), request.params.id))
    },
  )
}

function mergeErrors(...all: (FormErrors | undefined)[]): FormErrors {
  const merged: FormErrors = { summary: [], fields: {} }
  for (const errors of all) {
    if (!errors) continue
    merged.summary.push(...errors.summary)
    Object.assign(merged.fields, errors.fields)
  }
  return merged
}
