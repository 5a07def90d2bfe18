import type { Kysely } from 'kysely'
import { addDays, todayInLondon } from '../../platform/dates.js'
import type { Executor } from '../../platform/db/executor.js'
import type { DB } from '../../platform/db/schema.js'
import { signedIn } from '../../platform/http/actor.js'
import { ForbiddenError, NotFoundError, RuleError } from '../../platform/http/errors.js'
import type { Actor } from '../audit/audit.events.js'
import type { AuditService } from '../audit/audit.service.js'
import { meetingsRepository } from '../meetings/meetings.repository.js'
import { minutesRepository } from '../minutes/minutes.repository.js'
import { type BodyValues, bodiesRepository, type Person } from './bodies.repository.js'
import { type BodyInput, type ContactInput, type ElectionInput, type MemberInput, OFFICES } from './bodies.schemas.js'
import { requireBody } from './body-access.js'

const longDate = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' })
const showDate = (iso: string) => longDate.format(new Date(`${iso}T00:00:00Z`))

/** The municipal year runs from May to April: a meeting in May 2026 falls in 2026/27, one in March 2026 in 2025/26. */
export function municipalYearOf(isoDate: string): string {
  const year = Number(isoDate.slice(0, 4))
  const start = Number(isoDate.slice(5, 7)) >= 5 ? year : year - 1
  return `${start}/${String((start + 1) % 100).padStart(2, '0')}`
}

const bodyValues = (input: BodyInput): BodyValues => ({
  name: input.name,
  kind: input.kind,
  parentId: input.parentId ?? null,
  visibility: input.visibility,
  leadOrganisationId: input.leadOrganisationId ?? null,
  description: input.description ?? null,
  defaultVenue: input.defaultVenue ?? null,
  defaultStartTime: input.defaultStartTime ?? null,
  reminderDaysBefore: input.reminderDaysBefore,
  resolutionNumbering: input.resolutionNumbering,
})

async function requireContactEditable(executor: Executor, actor: Actor, contactId: string) {
  const notRun = await bodiesRepository(executor).contactBodiesNotRunBy(contactId, signedIn(actor).userId)
  if (notRun.length) throw new ForbiddenError('This person sits on a body you do not run: ask its clerk or an administrator to change their details')
}

export function bodiesService({ db, audit }: { db: Kysely<DB>; audit: Pick<AuditService, 'record'> }) {
  const bodies = bodiesRepository(db)

  /** A parent must be a body the actor can see; an unseen closed body is "not in the list". */
  async function checkParent(executor: Executor, actor: Actor, parentId: string | undefined) {
    if (!parentId) return
    await requireBody(executor, actor, parentId, 'read').catch((error: unknown) => {
      if (error instanceof NotFoundError) throw new RuleError('parentId', 'Select the body it reports to from the list')
      throw error
    })
  }

  async function checkOrganisation(executor: Executor, field: string, organisationId: string | undefined) {
    if (organisationId && !(await bodies.findOrganisation(organisationId, executor))) throw new RuleError(field, 'Select an organisation from the list')
  }

  async function requireContact(executor: Executor, contactId: string) {
    const contact = await bodies.findContact(contactId, executor)
    if (!contact) throw new NotFoundError('Contact not found')
    return contact
  }

  return {
    /** The bodies the actor may see, each under its parent (depth 0 for a top-level body). */
    async list(actor: Actor) {
      const { userId } = signedIn(actor)
      const rows = await bodies.listVisible(userId, todayInLondon())
      const visible = new Set(rows.map((row) => row.id))
      const ordered: (typeof rows[number] & { depth: number; parentName: string | null })[] = []
      const place = (parentId: string | null, parentName: string | null, depth: number) => {
        for (const row of rows.filter((candidate) => (parentId ? candidate.parentId === parentId : !candidate.parentId || !visible.has(candidate.parentId)))) {
          ordered.push({ ...row, depth, parentName })
          place(row.id, row.name, depth + 1)
        }
      }
      place(null, null, 0)
      return ordered
    },

    /** The body's details and members; elected chairs and deputy chairs with their municipal year. */
    async get(actor: Actor, bodyId: string) {
      const { userId } = signedIn(actor)
      const access = await requireBody(db, actor, bodyId, 'read')
      const body = (await bodies.find(bodyId))!
      const today = todayInLondon()
      const memberships = await bodies.memberships(bodyId)
      const currentMembers = memberships.filter((member) => !member.toDate || member.toDate >= today)
      const elected = currentMembers
        .filter((member) => member.fromDate <= today && member.municipalYear && member.electedByResolutionId && (member.role === 'chair' || member.role === 'deputy_chair'))
        .map((member) => ({ office: member.roleLabel, municipalYear: member.municipalYear!, name: member.name, electedOn: member.fromDate }))
      await audit.record(actor, { action: 'body.viewed', recordType: 'body', recordId: bodyId, details: { members: currentMembers.length } })
      return {
        body,
        canManage: access.canManage,
        currentMembers,
        pastMembers: memberships.filter((member) => member.toDate && member.toDate < today),
        children: await bodies.children(bodyId, userId),
        elected,
      }
    },

    /** The body's details, for its managers to change. */
    async forEdit(actor: Actor, bodyId: string) {
      await requireBody(db, actor, bodyId, 'manage')
      return (await bodies.find(bodyId))!
    },

    /** Bodies the actor may choose as a parent: visible ones, and when editing not the body itself nor one under it. */
    async parentOptions(actor: Actor, exceptBodyId?: string) {
      const { userId } = signedIn(actor)
      const excluded = new Set(exceptBodyId ? await bodies.selfAndDescendants(exceptBodyId) : [])
      return (await bodies.listVisible(userId, todayInLondon())).filter((body) => !excluded.has(body.id)).map((body) => ({ id: body.id, name: body.name }))
    },

    organisations: () => bodies.organisations(),

    /** Creates a body; its creator joins as clerk from today, so that they can run it. */
    create(actor: Actor, input: BodyInput) {
      const { userId, organisationId } = signedIn(actor)
      return db.transaction().execute(async (trx) => {
        if (await bodies.nameTaken(input.name, undefined, trx)) throw new RuleError('name', 'A body with this name already exists: choose another name')
        await checkParent(trx, actor, input.parentId)
        await checkOrganisation(trx, 'leadOrganisationId', input.leadOrganisationId)
        const { id } = await bodies.insert({ ...bodyValues(input), createdBy: userId }, trx)
        const clerk = await bodies.insertMember({ bodyId: id, person: { userId }, role: 'clerk', organisationId, fromDate: todayInLondon(), toDate: null, createdBy: userId }, trx)
        await audit.record(actor, { action: 'body.created', recordType: 'body', recordId: id, details: { kind: input.kind, visibility: input.visibility, parentId: input.parentId ?? null } }, trx)
        await audit.record(actor, { action: 'body.member_added', recordType: 'body', recordId: id, details: { memberId: clerk.id, role: 'clerk' } }, trx)
        return id
      })
    },

    update(actor: Actor, bodyId: string, input: BodyInput) {
      return db.transaction().execute(async (trx) => {
        await requireBody(trx, actor, bodyId, 'manage')
        const current = (await bodies.find(bodyId, trx))!
        if (await bodies.nameTaken(input.name, bodyId, trx)) throw new RuleError('name', 'A body with this name already exists: choose another name')
        if (input.parentId && (await bodies.selfAndDescendants(bodyId, trx)).includes(input.parentId)) {
          throw new RuleError('parentId', 'A body cannot report to itself or to a body that sits under it')
        }
        await checkParent(trx, actor, input.parentId)
        await checkOrganisation(trx, 'leadOrganisationId', input.leadOrganisationId)
        const values = bodyValues(input)
        const fields = (Object.keys(values) as (keyof BodyValues)[]).filter((key) => values[key] !== current[key])
        if (fields.length === 0) return
        await bodies.update(bodyId, values, trx)
        await audit.record(actor, { action: 'body.updated', recordType: 'body', recordId: bodyId, details: { fields } }, trx)
      })
    },

    /** Members whose membership covers the date, chair first. */
    async currentMembers(actor: Actor, bodyId: string, onDate: string) {
      await requireBody(db, actor, bodyId, 'read')
      return bodies.currentMembers(bodyId, onDate)
    },

    /** What the add-member form offers: active users with their organisation, contacts, organisations. */
    async memberOptions(actor: Actor, bodyId: string) {
      const body = await requireBody(db, actor, bodyId, 'manage')
      const [users, contacts, organisations] = await Promise.all([bodies.activeUsers(), bodies.contacts(), bodies.organisations()])
      return { body, users, contacts, organisations }
    },

    /** Adds a user or a contact. Nobody holds two memberships of one body on the same day. */
    addMember(actor: Actor, bodyId: string, input: MemberInput) {
      const { userId: actorId } = signedIn(actor)
      return db.transaction().execute(async (trx) => {
        await requireBody(trx, actor, bodyId, 'manage')
        const fromDate = input.fromDate ?? todayInLondon()
        const toDate = input.toDate ?? null
        if (toDate && toDate < fromDate) throw new RuleError('toDate', 'The end date must be the same as or after the start date')
        let person: Person
        let name: string
        let organisationId: string | null
        if (input.userId) {
          const user = await bodies.findUser(input.userId, trx)
          if (!user?.active) throw new RuleError('userId', 'Select the person from the list of users')
          person = { userId: user.id }
          name = user.name
          organisationId = user.organisationId
        } else {
          const contact = await bodies.findContact(input.contactId!, trx)
          if (!contact) throw new RuleError('contactId', 'Select the person from the list of contacts')
          person = { contactId: contact.id }
          name = contact.name
          organisationId = contact.organisationId
        }
        await checkOrganisation(trx, 'organisationId', input.organisationId)
        const field = person.userId ? 'userId' : 'contactId'
        if ((await bodies.overlapping(bodyId, person, fromDate, toDate, trx)).length > 0) throw new RuleError(field, `${name} is already a member of this body`)
        const member = await bodies.insertMember({ bodyId, person, role: input.role, organisationId: input.organisationId ?? organisationId, fromDate, toDate, createdBy: actorId }, trx)
        await audit.record(actor, { action: 'body.member_added', recordType: 'body', recordId: bodyId, details: { memberId: member.id, role: input.role, memberType: field === 'userId' ? 'user' : 'contact' } }, trx)
        return member.id
      })
    },

    /** A membership, for the end-membership form. */
    async member(actor: Actor, bodyId: string, memberId: string) {
      const body = await requireBody(db, actor, bodyId, 'manage')
      const member = await bodies.findMember(bodyId, memberId)
      if (!member) throw new NotFoundError('Member not found')
      await audit.record(actor, { action: 'body.viewed', recordType: 'body', recordId: bodyId, details: { memberId, page: 'end_membership' } })
      return { body, member }
    },

    endMember(actor: Actor, bodyId: string, memberId: string, toDate: string) {
      return db.transaction().execute(async (trx) => {
        await requireBody(trx, actor, bodyId, 'manage')
        const member = await bodies.findMember(bodyId, memberId, trx)
        if (!member) throw new NotFoundError('Member not found')
        if (member.toDate && member.toDate < todayInLondon()) throw new RuleError('toDate', `This membership already ended on ${showDate(member.toDate)}`)
        if (toDate < member.fromDate) throw new RuleError('toDate', `The end date must be on or after the date they became a member, ${showDate(member.fromDate)}`)
        await bodies.endMember(memberId, toDate, trx)
        await audit.record(actor, { action: 'body.member_ended', recordType: 'body', recordId: bodyId, details: { memberId } }, trx)
      })
    },

    // ---- contacts without an account ----

    /** Names and email addresses: each listing is audited, with the count only. */
    async listContacts(actor: Actor) {
      const contacts = await bodies.contacts()
      await audit.record(actor, { action: 'contacts.listed', recordType: 'governance_contact', details: { count: contacts.length } })
      return contacts
    },

    getContact: (contactId: string) => requireContact(db, contactId),

    /**
     * A contact's details, for changing them. Their email address receives every body's agenda and reminders, so only an
     * administrator or someone who runs every body they sit on may change it.
     */
    async contactForEdit(actor: Actor, contactId: string) {
      const contact = await requireContact(db, contactId)
      await requireContactEditable(db, actor, contactId)
      await audit.record(actor, { action: 'contact.viewed', recordType: 'governance_contact', recordId: contactId, details: { page: 'edit' } })
      return contact
    },

    createContact(actor: Actor, input: ContactInput) {
      const { userId } = signedIn(actor)
      return db.transaction().execute(async (trx) => {
        await checkOrganisation(trx, 'organisationId', input.organisationId)
        const { id } = await bodies.insertContact({ name: input.name, organisationId: input.organisationId ?? null, organisationName: input.organisationName ?? null, jobTitle: input.jobTitle ?? null, email: input.email ?? null, createdBy: userId }, trx)
        await audit.record(actor, { action: 'contact.created', recordType: 'governance_contact', recordId: id }, trx)
        return id
      })
    },

    updateContact(actor: Actor, contactId: string, input: ContactInput) {
      return db.transaction().execute(async (trx) => {
        const current = await requireContact(trx, contactId)
        await requireContactEditable(trx, actor, contactId)
        await checkOrganisation(trx, 'organisationId', input.organisationId)
        const values = { name: input.name, organisationId: input.organisationId ?? null, organisationName: input.organisationId ? null : (input.organisationName ?? null), jobTitle: input.jobTitle ?? null, email: input.email ?? null }
        const before = { ...current, organisationName: current.organisationId ? null : current.organisationName }
        const fields = (Object.keys(values) as (keyof typeof values)[]).filter((key) => values[key] !== before[key])
        if (fields.length === 0) return
        await bodies.updateContact(contactId, values, trx)
        await audit.record(actor, { action: 'contact.updated', recordType: 'governance_contact', recordId: contactId, details: { fields } }, trx)
      })
    },

    // ---- elections ----

    async electionOptions(actor: Actor, bodyId: string) {
      const body = await requireBody(db, actor, bodyId, 'manage')
      const today = todayInLondon()
      const [meetings, members] = await Promise.all([bodies.electionMeetings(bodyId, today), bodies.currentMembers(bodyId, today)])
      return { body, meetings, members }
    },

    /**
     * Records the election of a chair or deputy chair at a meeting, as a resolution under the meeting's election item,
     * and moves the office: the previous holder's term ends the day before the meeting (they stay on as a member), and
     * the elected person holds the office from the meeting date for the municipal year.
     */
    recordElection(actor: Actor, bodyId: string, input: ElectionInput) {
      const { userId } = signedIn(actor)
      return db.transaction().execute(async (trx) => {
        const body = await requireBody(trx, actor, bodyId, 'manage')
        const today = todayInLondon()
        const meeting = (await bodies.electionMeetings(bodyId, today, trx)).find((candidate) => candidate.id === input.meetingId)
        if (!meeting) throw new RuleError('meetingId', 'Select a meeting of this body held today or earlier')
        if (meeting.minutesStatus === 'confirmed') throw new RuleError('meetingId', `The minutes of the meeting on ${showDate(meeting.meetsOn)} are confirmed, so no resolution can be added to them`)
        const elected = (await bodies.currentMembers(bodyId, today, trx)).find((member) => member.memberId === input.memberId)
        if (!elected) throw new RuleError('memberId', 'Select who was elected from the current members')
        const year = input.municipalYear ?? municipalYearOf(meeting.meetsOn)
        const office = OFFICES[input.office]
        const dayBefore = addDays(meeting.meetsOn, -1)
        const person: Person = elected.userId ? { userId: elected.userId } : { contactId: elected.contactId! }
        const samePerson = (row: { userId: string | null; contactId: string | null }) => (person.userId ? row.userId === person.userId : row.contactId === person.contactId)

        const holders = (await bodies.officeHolders(bodyId, input.office, meeting.meetsOn, trx)).filter((holder) => !samePerson(holder))
        const later = holders.find((holder) => holder.fromDate >= meeting.meetsOn)
        if (later) throw new RuleError('meetingId', `A ${office} is already recorded from ${showDate(later.fromDate)}: end that membership first if this election came before it`)

        let itemId = (await bodies.electionItem(meeting.id, trx))?.id
        if (!itemId) {
          itemId = (await bodies.insertElectionItem({ bodyId, title: `Election of Chair and Deputy Chair for ${year}`, createdBy: userId }, trx)).id
          await meetingsRepository(trx).placeOnAgenda(itemId, meeting.id)
        }
        const resolution = await minutesRepository(trx).insertResolution({ agendaItemId: itemId, kind: 'resolved', text: `that ${elected.name} be elected ${office} of the ${body.name} for the municipal year ${year}`, createdBy: userId })

        const changed: string[] = []
        for (const holder of holders) {
          await bodies.endMember(holder.id, dayBefore, trx)
          const stays = await bodies.insertMember({ bodyId, person: holder.userId ? { userId: holder.userId } : { contactId: holder.contactId! }, role: 'member', organisationId: holder.organisationId, fromDate: meeting.meetsOn, toDate: holder.toDate, createdBy: userId }, trx)
          changed.push(holder.id, stays.id)
        }

        // The elected person's own memberships give way to the office: those begun before the meeting end the day
        // before it; one begun on or after it (members recorded after the fact) becomes the office from the meeting date.
        const own = await bodies.overlapping(bodyId, person, meeting.meetsOn, null, trx)
        for (const row of own.filter((candidate) => candidate.fromDate < meeting.meetsOn)) {
          await bodies.endMember(row.id, dayBefore, trx)
          changed.push(row.id)
        }
        const startingLater = own.filter((row) => row.fromDate >= meeting.meetsOn).sort((a, b) => a.fromDate.localeCompare(b.fromDate))[0]
        const election = { role: input.office, fromDate: meeting.meetsOn, municipalYear: year, electedByResolutionId: resolution.id }
        let memberId: string
        if (startingLater) {
          await bodies.electIntoMembership(startingLater.id, election, trx)
          memberId = startingLater.id
        } else {
          const membership = (await bodies.findMember(bodyId, elected.memberId, trx))!
          memberId = (await bodies.insertMember({ bodyId, person, organisationId: membership.organisationId, toDate: null, createdBy: userId, ...election }, trx)).id
        }

        await audit.record(actor, { action: 'body.election_recorded', recordType: 'body', recordId: bodyId, details: { meetingId: meeting.id, resolutionId: resolution.id, memberId, office: input.office, municipalYear: year, changedMemberIds: changed } }, trx)
        return { resolutionId: resolution.id, memberId }
      })
    },
  }
}

export type BodiesService = ReturnType<typeof bodiesService>
