import { type ExpressionBuilder, sql } from 'kysely'
import type { Executor } from '../../platform/db/executor.js'
import type { DB } from '../../platform/db/schema.js'
import { rolesWith } from '../auth/permissions.js'
import { bodyRowManageableBy, bodyRowVisibleTo } from './body-access.js'

export const MEMBER_ROLES = ['chair', 'deputy_chair', 'member', 'officer', 'clerk', 'in_attendance'] as const
export type MemberRole = (typeof MEMBER_ROLES)[number]

export const MEMBER_ROLE_LABELS: Record<MemberRole, string> = {
  chair: 'Chair',
  deputy_chair: 'Deputy Chair',
  member: 'Member',
  officer: 'Officer',
  clerk: 'Clerk',
  in_attendance: 'In attendance',
}

export interface BodyMember {
  memberId: string
  userId: string | null
  contactId: string | null
  name: string
  email: string | null
  organisationName: string | null
  role: MemberRole
  roleLabel: string
}

export type BodyKind = 'csp' | 'strategy_board' | 'delivery_group' | 'jag' | 'scrutiny_commission' | 'other'

/** A member is a user or a contact without an account. */
export type Person = { userId: string; contactId?: undefined } | { userId?: undefined; contactId: string }

export interface BodyValues {
  name: string
  kind: BodyKind
  parentId: string | null
  visibility: 'open' | 'closed'
  leadOrganisationId: string | null
  description: string | null
  defaultVenue: string | null
  defaultStartTime: string | null
  reminderDaysBefore: number
  resolutionNumbering: 'letters' | 'numbers'
}

const bodyColumns = (values: BodyValues) => ({
  name: values.name,
  kind: values.kind,
  parent_id: values.parentId,
  visibility: values.visibility,
  lead_organisation_id: values.leadOrganisationId,
  description: values.description,
  default_venue: values.defaultVenue,
  default_start_time: values.defaultStartTime,
  reminder_days_before: values.reminderDaysBefore,
  resolution_numbering: values.resolutionNumbering,
})

export interface ContactValues {
  name: string
  organisationId: string | null
  organisationName: string | null
  jobTitle: string | null
  email: string | null
}

const contactColumns = (values: ContactValues) => ({
  name: values.name,
  organisation_id: values.organisationId,
  organisation_name: values.organisationName,
  job_title: values.jobTitle,
  email: values.email,
})

const contactQuery = (executor: Executor) =>
  executor
    .selectFrom('governance_contacts')
    .leftJoin('organisations', 'organisations.id', 'governance_contacts.organisation_id')
    .select([
      'governance_contacts.id',
      'governance_contacts.name',
      'governance_contacts.organisation_id as organisationId',
      sql<string | null>`coalesce(organisations.name, governance_contacts.organisation_name)`.as('organisationName'),
      'governance_contacts.job_title as jobTitle',
      'governance_contacts.email',
    ])

/** Users whose roles let them sign in and read papers. */
const governanceReaders = rolesWith('governance:read')

/** Chair first, then deputy chair, members, officers, clerk, those in attendance: the order the minutes list them. */
const roleOrder = sql<number>`array_position(array['chair', 'deputy_chair', 'member', 'officer', 'clerk', 'in_attendance']::text[], body_members.role)`

/** The only SQL for bodies, their members and governance contacts. */
export function bodiesRepository(db: Executor) {
  const members = (executor: Executor) =>
    executor
      .selectFrom('body_members')
      .leftJoin('users', 'users.id', 'body_members.user_id')
      .leftJoin('organisations as userOrganisation', 'userOrganisation.id', 'users.organisation_id')
      .leftJoin('governance_contacts', 'governance_contacts.id', 'body_members.contact_id')
      .leftJoin('organisations as contactOrganisation', 'contactOrganisation.id', 'governance_contacts.organisation_id')
      .leftJoin('organisations as memberOrganisation', 'memberOrganisation.id', 'body_members.organisation_id')
      .select([
        'body_members.id as memberId',
        'body_members.user_id as userId',
        'body_members.contact_id as contactId',
        sql<string>`coalesce(users.name, governance_contacts.name)`.as('name'),
        sql<string | null>`coalesce(users.email, governance_contacts.email)`.as('email'),
        sql<string | null>`case when body_members.user_id is not null then coalesce(${sql.ref('memberOrganisation.name')}, ${sql.ref('userOrganisation.name')})
          else coalesce(${sql.ref('memberOrganisation.name')}, ${sql.ref('contactOrganisation.name')}, governance_contacts.organisation_name) end`.as('organisationName'),
        sql<MemberRole>`body_members.role`.as('role'),
      ])

  const withLabel = <T extends { role: MemberRole }>(row: T) => ({ ...row, roleLabel: MEMBER_ROLE_LABELS[row.role] })

  return {
    /** Members whose membership covers the date (YYYY-MM-DD), chair first, then by name. */
    async currentMembers(bodyId: string, onDate: string, executor: Executor = db): Promise<BodyMember[]> {
      const rows = await members(executor)
        .where('body_members.body_id', '=', bodyId)
        .where('body_members.from_date', '<=', onDate)
        .where((eb) => eb.or([eb('body_members.to_date', 'is', null), eb('body_members.to_date', '>=', onDate)]))
        .orderBy(roleOrder)
        .orderBy(sql`lower(coalesce(users.name, governance_contacts.name))`)
        .execute()
      return rows.map(withLabel)
    },

    /** Every membership of the body, with dates and whether a member who is a user can read governance at all. */
    async memberships(bodyId: string, executor: Executor = db) {
      const rows = await members(executor)
        .select([
          'body_members.from_date as fromDate',
          'body_members.to_date as toDate',
          'body_members.municipal_year as municipalYear',
          'body_members.elected_by_resolution_id as electedByResolutionId',
          'body_members.organisation_id as organisationId',
          sql<boolean>`body_members.user_id is not null and not coalesce(users.roles && array[${sql.join(governanceReaders.map((role) => sql.lit(role)))}]::text[], false)`.as('cannotRead'),
        ])
        .where('body_members.body_id', '=', bodyId)
        .orderBy(roleOrder)
        .orderBy(sql`lower(coalesce(users.name, governance_contacts.name))`)
        .orderBy('body_members.from_date', 'desc')
        .execute()
      return rows.map(withLabel)
    },

    findMember(bodyId: string, memberId: string, executor: Executor = db) {
      return members(executor)
        .select(['body_members.from_date as fromDate', 'body_members.to_date as toDate', 'body_members.organisation_id as organisationId'])
        .where('body_members.body_id', '=', bodyId)
        .where('body_members.id', '=', memberId)
        .executeTakeFirst()
        .then((row) => row && withLabel(row))
    },

    /** Memberships of one person on the body that share a day with the period from..to (to null: open-ended). */
    overlapping(bodyId: string, person: Person, fromDate: string, toDate: string | null, executor: Executor = db) {
      let query = executor
        .selectFrom('body_members')
        .select(['id', 'role', 'from_date as fromDate', 'to_date as toDate'])
        .where('body_id', '=', bodyId)
        .where((eb) => eb.or([eb('to_date', 'is', null), eb('to_date', '>=', fromDate)]))
      if (toDate) query = query.where('from_date', '<=', toDate)
      query = person.userId ? query.where('user_id', '=', person.userId) : query.where('contact_id', '=', person.contactId!)
      return query.execute()
    },

    insertMember(
      values: { bodyId: string; person: Person; role: MemberRole; organisationId: string | null; fromDate: string; toDate: string | null; municipalYear?: string; electedByResolutionId?: string; createdBy: string },
      executor: Executor = db,
    ) {
      return executor
        .insertInto('body_members')
        .values({
          body_id: values.bodyId,
          user_id: values.person.userId ?? null,
          contact_id: values.person.contactId ?? null,
          role: values.role,
          organisation_id: values.organisationId,
          from_date: values.fromDate,
          to_date: values.toDate,
          municipal_year: values.municipalYear ?? null,
          elected_by_resolution_id: values.electedByResolutionId ?? null,
          created_by: values.createdBy,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    },

    async endMember(memberId: string, toDate: string, executor: Executor = db) {
      await executor.updateTable('body_members').set({ to_date: toDate }).where('id', '=', memberId).execute()
    },

    /** A membership begun on or after an election takes the office from the election. */
    async electIntoMembership(memberId: string, values: { role: MemberRole; fromDate: string; municipalYear: string; electedByResolutionId: string }, executor: Executor = db) {
      await executor
        .updateTable('body_members')
        .set({ role: values.role, from_date: values.fromDate, municipal_year: values.municipalYear, elected_by_resolution_id: values.electedByResolutionId, to_date: null })
        .where('id', '=', memberId)
        .execute()
    },

    /** Holders of an office whose term has not ended by the date. */
    officeHolders(bodyId: string, role: MemberRole, onOrAfter: string, executor: Executor = db) {
      return executor
        .selectFrom('body_members')
        .select(['id', 'user_id as userId', 'contact_id as contactId', 'organisation_id as organisationId', 'from_date as fromDate', 'to_date as toDate'])
        .where('body_id', '=', bodyId)
        .where('role', '=', role)
        .where((eb) => eb.or([eb('to_date', 'is', null), eb('to_date', '>=', onOrAfter)]))
        .execute()
    },

    // ---- bodies ----

    /** The bodies a user may see, with today's chair and member count. */
    listVisible(userId: string, today: string, executor: Executor = db) {
      const current = (eb: ExpressionBuilder<DB, 'bodies'>) =>
        eb
          .selectFrom('body_members')
          .whereRef('body_members.body_id', '=', 'bodies.id')
          .where('body_members.from_date', '<=', today)
          .where((inner) => inner.or([inner('body_members.to_date', 'is', null), inner('body_members.to_date', '>=', today)]))
      return executor
        .selectFrom('bodies')
        .select((eb) => [
          'bodies.id',
          'bodies.name',
          sql<BodyKind>`bodies.kind`.as('kind'),
          'bodies.visibility',
          'bodies.parent_id as parentId',
          current(eb).select(sql<number>`count(*)::int`.as('n')).as('memberCount'),
          current(eb)
            .leftJoin('users', 'users.id', 'body_members.user_id')
            .leftJoin('governance_contacts', 'governance_contacts.id', 'body_members.contact_id')
            .where('body_members.role', '=', 'chair')
            .select(sql<string>`coalesce(users.name, governance_contacts.name)`.as('name'))
            .orderBy('body_members.from_date', 'desc')
            .limit(1)
            .as('chairName'),
        ])
        .where(bodyRowVisibleTo(userId))
        .orderBy(sql`lower(bodies.name)`)
        .execute()
        .then((rows) => rows.map((row) => ({ ...row, memberCount: Number(row.memberCount ?? 0) })))
    },

    find(bodyId: string, executor: Executor = db) {
      return executor
        .selectFrom('bodies')
        .leftJoin('bodies as parent', 'parent.id', 'bodies.parent_id')
        .leftJoin('organisations as lead', 'lead.id', 'bodies.lead_organisation_id')
        .select([
          'bodies.id',
          'bodies.name',
          sql<BodyKind>`bodies.kind`.as('kind'),
          'bodies.visibility',
          'bodies.parent_id as parentId',
          'parent.name as parentName',
          'bodies.lead_organisation_id as leadOrganisationId',
          'lead.name as leadOrganisationName',
          'bodies.description',
          'bodies.default_venue as defaultVenue',
          sql<string | null>`to_char(bodies.default_start_time, 'HH24:MI')`.as('defaultStartTime'),
          'bodies.reminder_days_before as reminderDaysBefore',
          'bodies.resolution_numbering as resolutionNumbering',
        ])
        .where('bodies.id', '=', bodyId)
        .executeTakeFirst()
    },

    nameTaken(name: string, exceptId: string | undefined, executor: Executor = db) {
      let query = executor.selectFrom('bodies').select('id').where(sql<string>`lower(trim(name))`, '=', name.trim().toLowerCase())
      if (exceptId) query = query.where('id', '<>', exceptId)
      return query.executeTakeFirst().then(Boolean)
    },

    insert(values: BodyValues & { createdBy: string }, executor: Executor = db) {
      return executor
        .insertInto('bodies')
        .values({ ...bodyColumns(values), created_by: values.createdBy })
        .returning('id')
        .executeTakeFirstOrThrow()
    },

    async update(bodyId: string, values: BodyValues, executor: Executor = db) {
      await executor
        .updateTable('bodies')
        .set({ ...bodyColumns(values), updated_at: new Date() })
        .where('id', '=', bodyId)
        .execute()
    },

    /** The body and every body nested under it, at any depth. */
    async selfAndDescendants(bodyId: string, executor: Executor = db) {
      const result = await sql<{ id: string }>`with recursive tree(id) as (
          select id from bodies where id = ${bodyId}
          union select bodies.id from bodies join tree on bodies.parent_id = tree.id)
        select id from tree`.execute(executor)
      return result.rows.map((row) => row.id)
    },

    children(bodyId: string, userId: string, executor: Executor = db) {
      return executor
        .selectFrom('bodies')
        .select(['bodies.id', 'bodies.name', sql<BodyKind>`bodies.kind`.as('kind'), 'bodies.visibility'])
        .where('bodies.parent_id', '=', bodyId)
        .where(bodyRowVisibleTo(userId))
        .orderBy(sql`lower(bodies.name)`)
        .execute()
    },

    // ---- people who can be members ----

    activeUsers(executor: Executor = db) {
      return executor
        .selectFrom('users')
        .innerJoin('organisations', 'organisations.id', 'users.organisation_id')
        .select(['users.id', 'users.name', 'users.organisation_id as organisationId', 'organisations.name as organisationName'])
        .where('users.active', '=', true)
        .orderBy(sql`lower(users.name)`)
        .execute()
    },

    findUser(userId: string, executor: Executor = db) {
      return executor.selectFrom('users').select(['id', 'name', 'organisation_id as organisationId', 'active']).where('id', '=', userId).executeTakeFirst()
    },

    organisations(executor: Executor = db) {
      return executor.selectFrom('organisations').select(['id', 'name']).where('active', '=', true).orderBy('name').execute()
    },

    findOrganisation(organisationId: string, executor: Executor = db) {
      return executor.selectFrom('organisations').select(['id', 'name']).where('id', '=', organisationId).where('active', '=', true).executeTakeFirst()
    },

    // ---- contacts without an account ----

    contacts(executor: Executor = db) {
      return contactQuery(executor).orderBy(sql`lower(governance_contacts.name)`).execute()
    },

    /** Bodies the contact has sat on that the user does not run: their details are those bodies' business too. */
    contactBodiesNotRunBy(contactId: string, userId: string, executor: Executor = db) {
      return executor
        .selectFrom('bodies')
        .select('bodies.id')
        .where('bodies.id', 'in', executor.selectFrom('body_members').select('body_id').where('contact_id', '=', contactId))
        .where(sql<boolean>`not ${bodyRowManageableBy(userId)}`)
        .execute()
    },

    findContact(contactId: string, executor: Executor = db) {
      return contactQuery(executor).where('governance_contacts.id', '=', contactId).executeTakeFirst()
    },

    insertContact(values: ContactValues & { createdBy: string }, executor: Executor = db) {
      return executor
        .insertInto('governance_contacts')
        .values({ ...contactColumns(values), created_by: values.createdBy })
        .returning('id')
        .executeTakeFirstOrThrow()
    },

    async updateContact(contactId: string, values: ContactValues, executor: Executor = db) {
      await executor
        .updateTable('governance_contacts')
        .set({ ...contactColumns(values), updated_at: new Date() })
        .where('id', '=', contactId)
        .execute()
    },

    // ---- elections ----

    /** Meetings at which an election can be recorded: held (today or earlier) and not cancelled. */
    electionMeetings(bodyId: string, today: string, executor: Executor = db) {
      return executor
        .selectFrom('meetings')
        .select(['id', 'meets_on as meetsOn', sql<string>`to_char(starts_at, 'HH24:MI')`.as('startsAt'), 'venue', 'minutes_status as minutesStatus'])
        .where('body_id', '=', bodyId)
        .where('status', '<>', 'cancelled')
        .where('meets_on', '<=', today)
        .orderBy('meets_on', 'desc')
        .execute()
    },

    electionItem(meetingId: string, executor: Executor = db) {
      return executor.selectFrom('agenda_items').select('id').where('meeting_id', '=', meetingId).where('kind', '=', 'election').orderBy('position').executeTakeFirst()
    },

    /** A new item outside any agenda; the meetings repository places it. */
    insertElectionItem(values: { bodyId: string; title: string; createdBy: string }, executor: Executor = db) {
      return executor
        .insertInto('agenda_items')
        .values({ body_id: values.bodyId, meeting_id: null, position: null, kind: 'election', title: values.title, created_by: values.createdBy })
        .returning('id')
        .executeTakeFirstOrThrow()
    },
  }
}

export type BodiesRepository = ReturnType<typeof bodiesRepository>
