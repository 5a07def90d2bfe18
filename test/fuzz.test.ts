import { randomUUID } from 'node:crypto'
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import type { OpenAPIV3 } from 'openapi-types'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROLES } from '../src/modules/auth/permissions.js'
import { asbFactories } from './helpers/asb-factories.js'
import { Agent, createTestApp, type TestApp } from './helpers/app.js'
import { governanceFactories } from './helpers/governance-factories.js'

/**
 * Bad input at every door: a NUL byte in each string of each API operation (from the OpenAPI document, signed in with
 * an API token) and of each form (from the route table, fields read off the form's page, with the CSRF token), other
 * control characters, line breaks and tabs, bodies that are not objects, year 0000 dates, and the same in the query
 * of every page. None may give a 5xx.
 */

const NUL = 'a\u0000b'
const CONTROL = 'a\u0001\u001bb'
const YEAR_ZERO = '0000-01-01'
/** Allowed in text (a text area posts them), so they pass the edge and must be safe all the way in. */
const LINE_BREAKS = 'a\r\n\tb'
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const
type Schema = OpenAPIV3.SchemaObject

const isDateField = (name: string, schema?: Schema) =>
  schema?.format === 'date' || schema?.format === 'date-time' || /YYYY-MM-DD|ISO 8601/.test(schema?.description ?? '') || /(^|[a-z])(date|Date|On)$|^(from|to|month)$|^[a-z]+At$/.test(name)

/** Values the API's schemas cannot tell: codes from its reference lists, and fields that take a free text or a place. */
const KNOWN: Record<string, unknown> = { typeCode: 'cpw', channel: 'online', locationText: 'Bus shelter on London Road', startsAt: '10:00', description: 'Loud music' }

/** A plausible value for a schema, so that the one bad value is what the route sees first. */
function sample(schema: Schema | undefined, name: string, ids: (name: string) => string): unknown {
  if (name in KNOWN) return KNOWN[name]
  if (!schema) return 'text'
  if (schema.enum?.length) return schema.enum[0]
  const choice = schema.anyOf ?? schema.oneOf ?? schema.allOf
  if (choice?.length) return sample(choice[0] as Schema, name, ids)
  switch (schema.type) {
    case 'object':
      // The required properties only, where the schema says which: fewer chances to be refused for a made-up value.
      return Object.fromEntries(
        Object.entries(schema.properties ?? {})
          .filter(([key]) => !schema.required || schema.required.includes(key) || key in KNOWN || key === 'personId')
          .map(([key, value]) => [key, sample(value as Schema, key, ids)]),
      )
    case 'array':
      return [sample((schema as OpenAPIV3.ArraySchemaObject).items as Schema, name, ids)]
    case 'integer':
    case 'number':
      return Math.max(1, schema.minimum ?? 1)
    case 'boolean':
      return false
    default:
      if (schema.format === 'uuid' || /Id$/.test(name)) return ids(name)
      if (schema.format === 'date-time' || /^(occurred|reported)At$/.test(name)) return '2026-03-27T21:30:00Z'
      if (/^startsAt$|Time$/.test(name)) return '10:00'
      if (isDateField(name, schema)) return '2030-03-27'
      return 'text'
  }
}

/** Each string of a sample body, as a path of keys. */
function stringPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (typeof value === 'string') return [path]
  if (Array.isArray(value)) return value.flatMap((item, index) => stringPaths(item, [...path, index]))
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => stringPaths(item, [...path, key]))
  return []
}

function withValue(body: unknown, path: (string | number)[], value: unknown): unknown {
  if (!path.length) return value
  const copy = (Array.isArray(body) ? [...body] : { ...(body as object) }) as Record<string | number, unknown>
  copy[path[0]!] = withValue(copy[path[0]!], path.slice(1), value)
  return copy
}

/** A form's fields as its page fills them in: each input's value, a select's first option, the first of radios. */
function formDefaults(html: string): Record<string, string> {
  const values: Record<string, string> = {}
  const attribute = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1]
  const controls = html.matchAll(/<input\b[^>]*>|<textarea\b[^>]*>|<select\b[^>]*>[\s\S]*?<\/select>/g)
  for (const [tag] of controls) {
    const name = attribute(tag, 'name')
    if (!name || name === '_csrf' || name in values) continue
    if (tag.startsWith('<select')) values[name] = [...tag.matchAll(/<option\b[^>]*value="([^"]+)"/g)][0]?.[1] ?? ''
    else if (tag.startsWith('<textarea')) values[name] = ''
    else values[name] = (attribute(tag, 'value') ?? '').replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&')
  }
  return values
}

const fillPath = (path: string, params: Record<string, string>) => path.replace(/\{(\w+)\}|:(\w+)/g, (_whole, a: string | undefined, b: string | undefined) => encodeURIComponent(params[(a ?? b)!]!))

describe('bad input at every door gives no 5xx', () => {
  let t: TestApp
  let token: string
  let agent: Agent
  const ids = new Map<string, string>()
  const failures: string[] = []

  /** Real records behind the ids a route takes, so that the bad value, not a missing record, is what is answered. */
  const idFor = (name: string, path = '') => {
    const before = path.split(/\/[:{]/)[0]!.split('/').at(-1) ?? ''
    return ids.get(name === 'id' ? before : name) ?? ids.get(name) ?? randomUUID()
  }

  /** A new open case with its person for each route on a case: an earlier bad request that was let through may have closed the last. */
  async function freshCase(path: string) {
    if (!/cases\/[:{]|caseId/.test(path)) return
    const kase = await asbFactories(t.testDb.database.db).case({ owningOrganisationId: ids.get('organisations')!, leadOfficerId: ids.get('me')! })
    await asbFactories(t.testDb.database.db).linkPerson(kase.id, ids.get('people')!, 'perpetrator')
    ids.set('cases', kase.id)
    ids.set('caseId', kase.id)
  }

  async function check(label: string, options: InjectOptions, send: (options: InjectOptions) => Promise<LightMyRequestResponse>) {
    const response = await send(options)
    if (response.statusCode >= 500) failures.push(`${label} -> ${response.statusCode}`)
  }

  beforeAll(async () => {
    t = await createTestApp()
    const db = t.testDb.database.db
    const asb = asbFactories(db)
    const governance = governanceFactories(db)
    const organisation = await t.factories.organisation()
    const user = await t.factories.user({ roles: [...ROLES], organisationId: organisation.id })
    const other = await t.factories.user({ organisationId: organisation.id })
    token = (await t.services.apiTokens.issue({ userId: user.id, organisationId: organisation.id, ip: null }, { userId: user.id, name: 'fuzz', expiresInDays: 1 })).token
    agent = await t.signIn(user.email, user.password)
    const person = await asb.person({ createdByOrganisationId: organisation.id })
    const kase = await asb.case({ owningOrganisationId: organisation.id, leadOfficerId: user.id })
    await asb.linkPerson(kase.id, person.id, 'victim')
    const incident = await asb.incident({ organisationId: organisation.id, recordedBy: user.id })
    const body = await governance.body({ createdBy: user.id })
    await governance.member({ bodyId: body.id, userId: user.id, createdBy: user.id, role: 'chair' })
    const member = await governance.member({ bodyId: body.id, userId: other.id, createdBy: user.id })
    const contact = await governance.contact({ createdBy: user.id })
    const meeting = await governance.meeting({ bodyId: body.id, createdBy: user.id, meetsOn: '2030-01-10' })
    const item = await governance.item({ bodyId: body.id, meetingId: meeting.id, position: 1, createdBy: user.id })
    const action = await governance.action({ bodyId: body.id, createdBy: user.id, meetingId: meeting.id, ownerUserId: user.id })
    for (const [names, id] of [
      [['organisations', 'organisationId'], organisation.id],
      [['users', 'userId'], other.id],
      [['cases', 'caseId'], kase.id],
      [['people', 'personId'], person.id],
      [['incidents', 'incidentId'], incident.id],
      [['bodies', 'bodyId'], body.id],
      [['members', 'memberId'], member.id],
      [['contacts', 'contactId'], contact.id],
      [['meetings', 'meetingId'], meeting.id],
      [['agenda-items', 'itemId', 'items'], item.id],
      [['actions', 'actionId'], action.id],
      [['me', 'assignedTo', 'leadOfficerId'], user.id],
    ] as const) {
      for (const name of names) ids.set(name, id)
    }
  })
  afterAll(() => t?.close())

  it('every API operation of the OpenAPI document', async () => {
    failures.length = 0
    const api = (options: InjectOptions) => t.app.inject({ ...options, headers: { authorization: `Bearer ${token}`, ...options.headers } })
    const document = t.app.swagger() as OpenAPIV3.Document
    let operations = 0
    for (const [path, item] of Object.entries(document.paths ?? {})) {
      for (const method of METHODS) {
        const operation = item?.[method]
        if (!operation) continue
        operations++
        await freshCase(path)
        const parameters = (operation.parameters ?? []) as OpenAPIV3.ParameterObject[]
        const pathParams = Object.fromEntries(parameters.filter((p) => p.in === 'path').map((p) => [p.name, idFor(p.name, path)]))
        const query = Object.fromEntries(parameters.filter((p) => p.in === 'query').map((p) => [p.name, String(sample(p.schema as Schema, p.name, idFor))]))
        const jsonSchema = (operation.requestBody as OpenAPIV3.RequestBodyObject | undefined)?.content?.['application/json']?.schema as Schema | undefined
        const sampled = jsonSchema ? sample(jsonSchema, '', idFor) : undefined
        // Incidents take the codes of their own list, not the interventions' cpw.
        const body = path === '/api/v1/incidents' ? { ...(sampled as object), typeCode: 'graffiti' } : sampled
        const send = (label: string, params: Record<string, string>, q: Record<string, string>, payload: unknown, raw = false) =>
          check(`${method.toUpperCase()} ${path} ${label}`, {
            method: method.toUpperCase() as InjectOptions['method'],
            url: fillPath(path, params) + (Object.keys(q).length ? `?${new URLSearchParams(q)}` : ''),
            ...(payload !== undefined ? { payload: raw ? (payload as string) : JSON.stringify(payload), headers: { 'content-type': 'application/json' } } : {}),
          }, api)

        for (const name of Object.keys(pathParams)) await send(`path ${name} NUL`, { ...pathParams, [name]: NUL }, query, body)
        for (const name of Object.keys(query)) {
          await send(`query ${name} NUL`, pathParams, { ...query, [name]: NUL }, body)
          await send(`query ${name} control`, pathParams, { ...query, [name]: CONTROL }, body)
          if (isDateField(name)) await send(`query ${name} year 0000`, pathParams, { ...query, [name]: YEAR_ZERO }, body)
        }
        if (method === 'get') continue
        for (const field of stringPaths(body)) {
          const name = String(field.at(-1))
          await send(`body ${field.join('.')} NUL`, pathParams, query, withValue(body, field, NUL))
          await send(`body ${field.join('.')} control`, pathParams, query, withValue(body, field, CONTROL))
          if (isDateField(name)) await send(`body ${field.join('.')} year 0000`, pathParams, query, withValue(body, field, /At$/.test(name) ? '0000-01-01T00:00:00Z' : YEAR_ZERO))
        }
        const everyString = stringPaths(body).reduce((value, field) => withValue(value, field, LINE_BREAKS), body)
        if (body !== undefined) await send('line breaks and tabs in every string', pathParams, query, everyString)
        for (const raw of ['null', '[]', '[{}]', '"text"', '42', 'true']) await send(`body ${raw}`, pathParams, query, raw, true)
      }
    }
    expect(operations).toBeGreaterThan(50)
    expect(failures).toEqual([])
  }, 60_000)

  it('every form of the route table', async () => {
    failures.length = 0
    // Not /sign-out: it takes no fields, and would end the session the rest of the forms are sent in.
    const forms = t.app.accessTable.filter((entry) => entry.method === 'POST' && !entry.url.startsWith('/api/') && entry.url !== '/sign-out')
    expect(forms.length).toBeGreaterThan(50)
    for (const form of forms) {
      await freshCase(form.url)
      const params = Object.fromEntries([...form.url.matchAll(/:(\w+)/g)].map(([, name]) => [name!, idFor(name!, form.url)]))
      const url = fillPath(form.url, params)
      // The form's own fields, from its page where there is one (the address itself for /new and /edit pages).
      const page = await agent.get(url)
      const defaults = formDefaults(page.body)
      const fields = Object.keys(defaults).length ? Object.keys(defaults) : ['title', 'name', 'description', 'reason', 'text', 'returnTo']
      const valid = Object.fromEntries(fields.map((name) => [name, defaults[name] || (/-year$/.test(name) ? '2030' : /-(day|month)$/.test(name) ? '3' : /[tT]ime$/.test(name) ? '10:00' : 'text')]))
      const post = (label: string, payload: string, contentType = 'application/x-www-form-urlencoded', to = url) =>
        check(`POST ${form.url} ${label}`, { method: 'POST', url: to, payload, headers: { 'content-type': contentType, 'x-csrf-token': agent.csrfToken ?? '' } }, (options) => agent.request(options))
      const encode = (values: Record<string, string>) => new URLSearchParams({ ...values, _csrf: agent.csrfToken ?? '' }).toString()

      for (const name of fields) await post(`${name} NUL`, encode({ ...valid, [name]: NUL }))
      await post('control characters', encode(Object.fromEntries(fields.map((name) => [name, CONTROL]))))
      await post('line breaks and tabs', encode(Object.fromEntries(fields.map((name) => [name, LINE_BREAKS]))))
      const yearFields = fields.filter((name) => /-year$/.test(name))
      if (yearFields.length) await post('year 0000', encode({ ...valid, ...Object.fromEntries(yearFields.map((name) => [name, '0000'])) }))
      for (const name of Object.keys(params)) await post(`path ${name} NUL`, encode(valid), undefined, fillPath(form.url, { ...params, [name]: NUL }))
      await post('JSON null', 'null', 'application/json')
      await post('JSON array', '[]', 'application/json')
    }
    expect(failures).toEqual([])
  }, 60_000)

  it('every page of the route table, with bad values in the usual query parameters', async () => {
    failures.length = 0
    const pages = t.app.accessTable.filter((entry) => entry.method === 'GET' && !entry.url.startsWith('/api/') && !entry.url.includes('*'))
    expect(pages.length).toBeGreaterThan(50)
    const names = ['q', 'returnTo', 'from', 'to', 'page', 'status', 'type', 'address', 'dateOfBirth-year', 'notice', 'month']
    for (const page of pages) {
      const params = Object.fromEntries([...page.url.matchAll(/:(\w+)/g)].map(([, name]) => [name!, idFor(name!, page.url)]))
      const url = fillPath(page.url, params)
      const get = (label: string, values: Record<string, string>) => check(`GET ${page.url} ${label}`, { method: 'GET', url: `${url}?${new URLSearchParams(values)}` }, (options) => agent.request(options))
      for (const bad of [NUL, CONTROL, LINE_BREAKS]) await get(JSON.stringify(bad), Object.fromEntries(names.map((name) => [name, bad])))
      await get('year 0000', { from: YEAR_ZERO, to: YEAR_ZERO, month: '0000-01', 'dateOfBirth-day': '1', 'dateOfBirth-month': '1', 'dateOfBirth-year': '0000', q: 'ab' })
    }
    expect(failures).toEqual([])
  }, 60_000)
})
