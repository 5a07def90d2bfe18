import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Services } from '../../composition.js'
import { todayInLondon } from '../../platform/dates.js'
import { actorOf } from '../../platform/http/actor.js'
import { dateFromParts, partsFromDate } from '../../platform/http/date-input.js'
import { RuleError } from '../../platform/http/errors.js'
import { type FormErrors, parseForm, ruleErrors } from '../../platform/http/forms.js'
import { MEMBER_ROLE_LABELS } from './bodies.repository.js'
import {
  BODY_KINDS,
  bodyInput,
  bodyResponse,
  bodySummaryResponse,
  contactInput,
  contactResponse,
  electionInput,
  endMemberInput,
  memberForm,
  memberInput,
  OFFICES,
  RESOLUTION_NUMBERING,
} from './bodies.schemas.js'

const read = { access: 'governance:read' } as const
const manage = { access: 'governance:manage' } as const
const bodyParams = z.object({ bodyId: z.uuid({ error: 'Body id must be a UUID' }) })
const memberParams = bodyParams.extend({ memberId: z.uuid({ error: 'Member id must be a UUID' }) })
const contactParams = z.object({ contactId: z.uuid({ error: 'Contact id must be a UUID' }) })
type BodyParams = z.output<typeof bodyParams>
type MemberParams = z.output<typeof memberParams>
type ContactParams = z.output<typeof contactParams>
type Values = Record<string, unknown>
const tags = ['Bodies']
const VISIBILITIES = {
  open: { text: 'Open', hint: 'Every partner who reads governance can see its meetings, papers, minutes and actions' },
  closed: { text: 'Closed', hint: 'Meetings, papers, minutes and actions only for members (and administrators)' },
}
const longDate = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' })

/** Only a page of a body may be returned to after adding a contact: never another site. */
const safeReturnTo = (value: unknown) => (typeof value === 'string' && /^\/bodies\/[A-Za-z0-9/-]+$/.test(value) ? value : undefined)
const query = (request: FastifyRequest) => (request.query ?? {}) as Record<string, string | undefined>
const withDateParts = (prefix: string, iso: string | null | undefined) => Object.fromEntries(Object.entries(partsFromDate(iso)).map(([part, value]) => [`${prefix}-${part}`, value]))
const choices = <T extends Record<string, string>>(labels: T, selected: unknown) => Object.entries(labels).map(([value, text]) => ({ value, text, checked: value === selected }))
const options = (rows: { id: string; text: string }[], selected: unknown, first: string) => [{ value: '', text: first }, ...rows.map((row) => ({ value: row.id, text: row.text, selected: row.id === selected }))]

export async function bodyRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { bodies } = services
  const api = app.withTypeProvider<ZodTypeProvider>()
  const canManageGovernance = (request: FastifyRequest) => Boolean(request.auth?.permissions.has('governance:manage'))

  // ---- bodies ----

  app.get('/bodies', { config: read }, async (request, reply) => {
    const list = await bodies.list(actorOf(request))
    return reply.render('bodies/views/list.njk', { title: 'Boards and partnership bodies', bodies: list, kinds: BODY_KINDS, canCreate: canManageGovernance(request) })
  })

  async function renderBodyForm(request: FastifyRequest, reply: FastifyReply, values: Values, errors?: FormErrors, bodyId?: string) {
    const actor = actorOf(request)
    const [parents, organisations] = await Promise.all([bodies.parentOptions(actor, bodyId), bodies.organisations()])
    return reply.render('bodies/views/form.njk', {
      title: bodyId ? 'Change the body’s details' : 'Add a partnership body',
      bodyId,
      values,
      errors,
      kindItems: choices(BODY_KINDS, values.kind),
      visibilityItems: Object.entries(VISIBILITIES).map(([value, { text, hint }]) => ({ value, text, hint: { text: hint }, checked: values.visibility === value })),
      numberingItems: choices(RESOLUTION_NUMBERING, values.resolutionNumbering ?? 'letters'),
      parentItems: options(parents.map((body) => ({ id: body.id, text: body.name })), values.parentId, 'None: it does not report to another body'),
      organisationItems: options(organisations.map((organisation) => ({ id: organisation.id, text: organisation.name })), values.leadOrganisationId, 'None'),
    })
  }

  app.get('/bodies/new', { config: manage }, async (request, reply) => renderBodyForm(request, reply, { reminderDaysBefore: '7', resolutionNumbering: 'letters' }))

  app.post('/bodies/new', { config: manage }, async (request, reply) => {
    const values = (request.body ?? {}) as Values
    const form = parseForm(bodyInput, values)
    if (!form.ok) return renderBodyForm(request, reply.code(400), values, form.errors)
    try {
      const id = await bodies.create(actorOf(request), form.value)
      return reply.redirect(`/bodies/${id}?notice=created`)
    } catch (error) {
      if (error instanceof RuleError) return renderBodyForm(request, reply.code(400), values, ruleErrors(error))
      throw error
    }
  })

  app.get('/bodies/:bodyId', { config: read, schema: { params: bodyParams, hide: true } }, async (request, reply) => {
    const { bodyId } = request.params as BodyParams
    const overview = await bodies.get(actorOf(request), bodyId)
    return reply.render('bodies/views/show.njk', { title: overview.body.name, ...overview, kinds: BODY_KINDS, numbering: RESOLUTION_NUMBERING, notice: query(request).notice })
  })

  app.get('/bodies/:bodyId/edit', { config: manage, schema: { params: bodyParams, hide: true } }, async (request, reply) => {
    const { bodyId } = request.params as BodyParams
    const body = await bodies.forEdit(actorOf(request), bodyId)
    return renderBodyForm(request, reply, {
      name: body.name,
      kind: body.kind,
      parentId: body.parentId ?? '',
      visibility: body.visibility,
      leadOrganisationId: body.leadOrganisationId ?? '',
      description: body.description ?? '',
      defaultVenue: body.defaultVenue ?? '',
      defaultStartTime: body.defaultStartTime ?? '',
      reminderDaysBefore: String(body.reminderDaysBefore),
      resolutionNumbering: body.resolutionNumbering,
    }, undefined, bodyId)
  })

  app.post('/bodies/:bodyId/edit', { config: manage, schema: { params: bodyParams, hide: true } }, async (request, reply) => {
    const { bodyId } = request.params as BodyParams
    const values = (request.body ?? {}) as Values
    const form = parseForm(bodyInput, values)
    if (!form.ok) return renderBodyForm(request, reply.code(400), values, form.errors, bodyId)
    try {
      await bodies.update(actorOf(request), bodyId, form.value)
      return reply.redirect(`/bodies/${bodyId}?notice=updated`)
    } catch (error) {
      if (error instanceof RuleError) return renderBodyForm(request, reply.code(400), values, ruleErrors(error), bodyId)
      throw error
    }
  })

  // ---- members ----

  async function renderMemberForm(request: FastifyRequest, reply: FastifyReply, bodyId: string, values: Values, errors?: FormErrors) {
    const { body, users, contacts, organisations } = await bodies.memberOptions(actorOf(request), bodyId)
    return reply.render('bodies/views/member-form.njk', {
      title: `Add a member to ${body.name}`,
      body,
      values,
      errors,
      notice: query(request).notice,
      memberTypeItems: [{ value: 'user', checked: values.memberType === 'user' }, { value: 'contact', checked: values.memberType === 'contact' }],
      userItems: options(users.map((user) => ({ id: user.id, text: `${user.name} (${user.organisationName})` })), values.userId, 'Choose a person'),
      contactItems: options(contacts.map((contact) => ({ id: contact.id, text: contact.organisationName ? `${contact.name} (${contact.organisationName})` : contact.name })), values.contactId, 'Choose a contact'),
      roleItems: choices(MEMBER_ROLE_LABELS, values.role),
      organisationItems: options(organisations.map((organisation) => ({ id: organisation.id, text: organisation.name })), values.organisationId, 'Their own organisation'),
      addContactHref: `/contacts/new?returnTo=${encodeURIComponent(`/bodies/${bodyId}/members/new`)}`,
    })
  }

  app.get('/bodies/:bodyId/members/new', { config: manage, schema: { params: bodyParams, hide: true } }, async (request, reply) => {
    const { bodyId } = request.params as BodyParams
    const { contactId } = query(request)
    const preselected = contactId ? { memberType: 'contact', contactId } : {}
    return renderMemberForm(request, reply, bodyId, { ...withDateParts('fromDate', todayInLondon()), ...preselected })
  })

  app.post('/bodies/:bodyId/members/new', { config: manage, schema: { params: bodyParams, hide: true } }, async (request, reply) => {
    const { bodyId } = request.params as BodyParams
    const values = (request.body ?? {}) as Values
    const form = parseForm(memberForm, { ...values, fromDate: dateFromParts(values, 'fromDate'), toDate: dateFromParts(values, 'toDate') }, { dateInputs: ['fromDate', 'toDate'] })
    if (!form.ok) return renderMemberForm(request, reply.code(400), bodyId, values, form.errors)
    try {
      await bodies.addMember(actorOf(request), bodyId, form.value)
      return reply.redirect(`/bodies/${bodyId}?notice=member-added#members`)
    } catch (error) {
      if (error instanceof RuleError) return renderMemberForm(request, reply.code(400), bodyId, values, ruleErrors(error))
      throw error
    }
  })

  async function renderEndForm(request: FastifyRequest, reply: FastifyReply, values: Values, errors?: FormErrors) {
    const { bodyId, memberId } = request.params as MemberParams
    const { body, member } = await bodies.member(actorOf(request), bodyId, memberId)
    return reply.render('bodies/views/end-member.njk', { title: `End ${member.name}’s membership`, body, member, values, errors })
  }

  app.get('/bodies/:bodyId/members/:memberId/end', { config: manage, schema: { params: memberParams, hide: true } }, async (request, reply) => renderEndForm(request, reply, withDateParts('toDate', todayInLondon())))

  app.post('/bodies/:bodyId/members/:memberId/end', { config: manage, schema: { params: memberParams, hide: true } }, async (request, reply) => {
    const { bodyId, memberId } = request.params as MemberParams
    const values = (request.body ?? {}) as Values
    const form = parseForm(endMemberInput, { toDate: dateFromParts(values, 'toDate') }, { dateInputs: ['toDate'] })
    if (!form.ok) return renderEndForm(request, reply.code(400), values, form.errors)
    try {
      await bodies.endMember(actorOf(request), bodyId, memberId, form.value.toDate)
      return reply.redirect(`/bodies/${bodyId}?notice=member-ended#members`)
    } catch (error) {
      if (error instanceof RuleError) return renderEndForm(request, reply.code(400), values, { ...ruleErrors(error), summary: [{ text: error.message, href: '#toDate-day' }] })
      throw error
    }
  })

  // ---- elections ----

  async function renderElectionForm(request: FastifyRequest, reply: FastifyReply, bodyId: string, values: Values, errors?: FormErrors) {
    const { body, meetings, members } = await bodies.electionOptions(actorOf(request), bodyId)
    const meetingText = (meeting: (typeof meetings)[number]) => `${longDate.format(new Date(`${meeting.meetsOn}T00:00:00Z`))}, ${meeting.startsAt}, ${meeting.venue}`
    return reply.render('bodies/views/election-form.njk', {
      title: `Record an election: ${body.name}`,
      body,
      values,
      errors,
      hasMeetings: meetings.length > 0,
      meetingItems: options(meetings.map((meeting) => ({ id: meeting.id, text: meetingText(meeting) })), values.meetingId, 'Choose a meeting'),
      officeItems: choices(OFFICES, values.office),
      memberItems: options(members.map((member) => ({ id: member.memberId, text: `${member.name} (${member.roleLabel}${member.organisationName ? `, ${member.organisationName}` : ''})` })), values.memberId, 'Choose a member'),
    })
  }

  app.get('/bodies/:bodyId/elections/new', { config: manage, schema: { params: bodyParams, hide: true } }, async (request, reply) => renderElectionForm(request, reply, (request.params as BodyParams).bodyId, {}))

  app.post('/bodies/:bodyId/elections/new', { config: manage, schema: { params: bodyParams, hide: true } }, async (request, reply) => {
    const { bodyId } = request.params as BodyParams
    const values = (request.body ?? {}) as Values
    const form = parseForm(electionInput, values)
    if (!form.ok) return renderElectionForm(request, reply.code(400), bodyId, values, form.errors)
    try {
      await bodies.recordElection(actorOf(request), bodyId, form.value)
      return reply.redirect(`/bodies/${bodyId}?notice=election#members`)
    } catch (error) {
      if (error instanceof RuleError) return renderElectionForm(request, reply.code(400), bodyId, values, ruleErrors(error))
      throw error
    }
  })

  // ---- contacts without an account ----

  app.get('/contacts', { config: read }, async (request, reply) => {
    return reply.render('bodies/views/contacts.njk', { title: 'Contacts without an account', contacts: await bodies.listContacts(actorOf(request)), canManage: canManageGovernance(request), notice: query(request).notice })
  })

  async function renderContactForm(reply: FastifyReply, values: Values, errors?: FormErrors, contactId?: string) {
    const organisations = await bodies.organisations()
    return reply.render('bodies/views/contact-form.njk', {
      title: contactId ? 'Change contact details' : 'Add a contact without an account',
      contactId,
      values,
      errors,
      returnTo: safeReturnTo(values.returnTo),
      organisationItems: options(organisations.map((organisation) => ({ id: organisation.id, text: organisation.name })), values.organisationId, 'Not a partner organisation'),
    })
  }

  app.get('/contacts/new', { config: manage }, async (request, reply) => renderContactForm(reply, { returnTo: query(request).returnTo }))

  app.post('/contacts/new', { config: manage }, async (request, reply) => {
    const values = (request.body ?? {}) as Values
    const form = parseForm(contactInput, values)
    if (!form.ok) return renderContactForm(reply.code(400), values, form.errors)
    try {
      const id = await bodies.createContact(actorOf(request), form.value)
      const returnTo = safeReturnTo(values.returnTo)
      return reply.redirect(returnTo ? `${returnTo}?contactId=${id}&notice=contact-added` : '/contacts?notice=added')
    } catch (error) {
      if (error instanceof RuleError) return renderContactForm(reply.code(400), values, ruleErrors(error))
      throw error
    }
  })

  app.get('/contacts/:contactId/edit', { config: manage, schema: { params: contactParams, hide: true } }, async (request, reply) => {
    const { contactId } = request.params as ContactParams
    const contact = await bodies.contactForEdit(actorOf(request), contactId)
    return renderContactForm(reply, {
      name: contact.name,
      organisationId: contact.organisationId ?? '',
      organisationName: contact.organisationId ? '' : (contact.organisationName ?? ''),
      jobTitle: contact.jobTitle ?? '',
      email: contact.email ?? '',
    }, undefined, contactId)
  })

  app.post('/contacts/:contactId/edit', { config: manage, schema: { params: contactParams, hide: true } }, async (request, reply) => {
    const { contactId } = request.params as ContactParams
    const values = (request.body ?? {}) as Values
    const form = parseForm(contactInput, values)
    if (!form.ok) return renderContactForm(reply.code(400), values, form.errors, contactId)
    try {
      await bodies.updateContact(actorOf(request), contactId, form.value)
      return reply.redirect('/contacts?notice=updated')
    } catch (error) {
      if (error instanceof RuleError) return renderContactForm(reply.code(400), values, ruleErrors(error), contactId)
      throw error
    }
  })

  // ---- API ----

  const bodyDetails = async (request: FastifyRequest, bodyId: string) => {
    const { body } = await bodies.get(actorOf(request), bodyId)
    const currentMembers = await bodies.currentMembers(actorOf(request), bodyId, todayInLondon())
    return bodyResponse.parse({ ...body, currentMembers })
  }

  api.get('/api/v1/bodies', { config: read, schema: { summary: 'The partnership bodies you may see (a closed body only if you are a member), with today’s chair and member count', tags, response: { 200: z.array(bodySummaryResponse) } } }, async (request) =>
    (await bodies.list(actorOf(request))).map((body) => bodySummaryResponse.parse(body)),
  )

  api.get('/api/v1/bodies/:bodyId', { config: read, schema: { summary: 'A body, with its members today (chair first)', tags, params: bodyParams, response: { 200: bodyResponse } } }, async (request) => bodyDetails(request, request.params.bodyId))

  api.post('/api/v1/bodies', { config: manage, schema: { summary: 'Create a body; you join it as its clerk from today', tags, body: bodyInput, response: { 201: bodyResponse } } }, async (request, reply) => {
    const id = await bodies.create(actorOf(request), request.body)
    return reply.code(201).send(await bodyDetails(request, id))
  })

  api.post(
    '/api/v1/bodies/:bodyId/members',
    { config: manage, schema: { summary: 'Add a member: a user or a contact without an account (chair, clerk or officer of the body, or an administrator)', tags, params: bodyParams, body: memberInput, response: { 201: z.object({ id: z.uuid() }) } } },
    async (request, reply) => {
      const id = await bodies.addMember(actorOf(request), request.params.bodyId, request.body)
      return reply.code(201).send({ id })
    },
  )

  api.get('/api/v1/contacts', { config: read, schema: { summary: 'People who sit on or attend bodies without an account', tags, response: { 200: z.array(contactResponse) } } }, async (request) =>
    (await bodies.listContacts(actorOf(request))).map((contact) => contactResponse.parse(contact)),
  )

  api.post('/api/v1/contacts', { config: manage, schema: { summary: 'Add a contact without an account', tags, body: contactInput, response: { 201: contactResponse } } }, async (request, reply) => {
    const id = await bodies.createContact(actorOf(request), request.body)
    return reply.code(201).send(contactResponse.parse(await bodies.getContact(id)))
  })
}
