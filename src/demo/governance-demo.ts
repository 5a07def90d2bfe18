import type { Transaction } from 'kysely'
import { addDays, todayInLondon } from '../platform/dates.js'
import type { DB } from '../platform/db/schema.js'
import { municipalYearOf } from '../modules/bodies/bodies.service.js'

/**
 * Demonstration partnership governance for Charnwood: bodies, members, two past meetings with minutes and actions, a
 * future meeting and the forward programme. Dates are counted from today so that the demonstration always has a recent
 * history, overdue actions and a meeting coming up. Every person here is synthetic.
 */

type Status = 'open' | 'ongoing' | 'complete' | 'incomplete' | 'no_update' | 'withdrawn'
type Ref = { userId: string } | { contactId: string } | { organisationId: string }

/** Contacts without an account: partners' officers and presenters, invented for the demonstration. */
const CONTACTS = {
  chair: { name: 'Cllr Morgan Ellis', organisation: 'Charnwood Borough Council', jobTitle: 'Lead Member for Community Safety', email: 'morgan.ellis@charnwood.demo.example.org' },
  inspector: { name: 'Inspector Rachel Dunmore', organisation: 'Leicestershire Police', jobTitle: 'Charnwood Neighbourhood Policing Area Commander', email: 'rachel.dunmore@police.demo.example.org' },
  fire: { name: 'Station Manager Lee Whitfield', organisation: 'Leicestershire Fire and Rescue Service', jobTitle: 'Community Risk Manager', email: 'lee.whitfield@fire.demo.example.org' },
  probation: { name: 'Priya Sandhu', organisation: 'Probation Service (Leicester, Leicestershire and Rutland)', jobTitle: 'Head of Charnwood Probation Delivery Unit', email: 'priya.sandhu@probation.demo.example.org' },
  bid: { name: 'Kerry Lomas', organisationName: 'Loughborough Business Improvement District (demonstration)', jobTitle: 'Town Centre Manager', email: 'kerry.lomas@bid.demo.example.org' },
  youth: { name: 'Dan Whitmore', organisationName: 'Soar Valley Youth Project (demonstration charity)', jobTitle: 'Detached Youth Work Lead', email: null },
  county: { name: 'Cllr Jo Ashdown', organisation: 'Leicestershire County Council', jobTitle: 'Cabinet Lead Member for Community Safety', email: 'jo.ashdown@leics.demo.example.org' },
} as const

/** The Thursday on or before a date: the partnership meets on Thursdays. */
function thursdayOnOrBefore(isoDate: string): string {
  const day = new Date(`${isoDate}T00:00:00Z`).getUTCDay()
  return addDays(isoDate, -((day - 4 + 7) % 7))
}

const at = (isoDate: string, time = '12:00') => new Date(`${isoDate}T${time}:00Z`)
const dayMonth = (isoDate: string) => new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${isoDate}T00:00:00Z`))

/**
 * Loads the governance demonstration unless the database already has a body. Returns whether it did.
 * Needs the demonstration users and organisations of seed.ts.
 */
export async function seedGovernanceDemonstration(trx: Transaction<DB>, organisationIds: Map<string, string>): Promise<boolean> {
  if (await trx.selectFrom('bodies').select('id').limit(1).executeTakeFirst()) return false
  const organisation = (name: string) => organisationIds.get(name)!
  const users = new Map((await trx.selectFrom('users').select(['id', 'email']).execute()).map((user) => [user.email, user.id]))
  const userId = (email: string) => users.get(email)!
  const clerk = userId('coordinator@demo.example.org')
  const boardMember = userId('board.member@demo.example.org')
  const hannah = userId('hannah.price@charnwood.demo.example.org')
  const jordan = userId('jordan.hayes@police.demo.example.org')
  const nadia = userId('nadia.rahman@soarvalley.demo.example.org')

  const contact = {} as Record<keyof typeof CONTACTS, string>
  for (const [key, value] of Object.entries(CONTACTS) as [keyof typeof CONTACTS, (typeof CONTACTS)[keyof typeof CONTACTS]][]) {
    const row = await trx
      .insertInto('governance_contacts')
      .values({ name: value.name, organisation_id: 'organisation' in value ? organisation(value.organisation) : null, organisation_name: 'organisationName' in value ? value.organisationName : null, job_title: value.jobTitle, email: value.email, created_by: clerk })
      .returning('id')
      .executeTakeFirstOrThrow()
    contact[key] = row.id
  }

  const today = todayInLondon()
  const older = thursdayOnOrBefore(addDays(today, -182))
  const newer = thursdayOnOrBefore(addDays(today, -91))
  const upcoming = thursdayOnOrBefore(addDays(today, 21))
  const joined = addDays(older, -730)

  const body = async (values: { name: string; kind: string; visibility?: 'open' | 'closed'; parentId?: string; lead: string; description: string; venue: string; startsAt: string }) =>
    (
      await trx
        .insertInto('bodies')
        .values({ name: values.name, kind: values.kind, visibility: values.visibility ?? 'open', parent_id: values.parentId ?? null, lead_organisation_id: organisation(values.lead), description: values.description, default_venue: values.venue, default_start_time: values.startsAt, created_by: clerk, created_at: at(joined) })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id
  const member = async (bodyId: string, person: { userId: string } | { contactId: string }, role: string, organisationName: string | null, fromDate = joined, extra: { toDate?: string; municipalYear?: string; resolutionId?: string } = {}) => {
    await trx
      .insertInto('body_members')
      .values({
        body_id: bodyId,
        user_id: 'userId' in person ? person.userId : null,
        contact_id: 'contactId' in person ? person.contactId : null,
        role,
        organisation_id: organisationName ? organisation(organisationName) : null,
        from_date: fromDate,
        to_date: extra.toDate ?? null,
        municipal_year: extra.municipalYear ?? null,
        elected_by_resolution_id: extra.resolutionId ?? null,
        created_by: clerk,
      })
      .execute()
  }

  // ---- the bodies and their members ----

  const strategyBoard = await body({ name: 'Leicestershire Safer Communities Strategy Board', kind: 'strategy_board', lead: 'Leicestershire County Council', description: 'The county board above the district community safety partnerships: the community safety agreement, county-wide priorities and funding.', venue: 'County Hall, Glenfield', startsAt: '10:00' })
  await member(strategyBoard, { contactId: contact.county }, 'chair', 'Leicestershire County Council')
  await member(strategyBoard, { userId: boardMember }, 'member', 'Office of the Police and Crime Commissioner for Leicestershire')
  await member(strategyBoard, { contactId: contact.inspector }, 'member', 'Leicestershire Police')
  await member(strategyBoard, { userId: clerk }, 'clerk', 'Leicestershire County Council')

  const csp = await body({ name: 'Charnwood Community Safety Partnership', kind: 'csp', lead: 'Charnwood Borough Council', description: 'The statutory community safety partnership for Charnwood: the strategic assessment, the partnership plan and its priorities (ASB, serious violence, domestic abuse, retail crime).', venue: 'Council Chamber, Southfields, Loughborough', startsAt: '14:00' })
  const group = await body({ name: 'Charnwood ASB Delivery Group', kind: 'delivery_group', parentId: csp, lead: 'Charnwood Borough Council', description: 'Owns the anti-social behaviour priority of the partnership plan and its operational actions.', venue: 'Microsoft Teams', startsAt: '10:00' })
  const jag = await body({ name: 'Loughborough Joint Action Group', kind: 'jag', visibility: 'closed', parentId: csp, lead: 'Leicestershire Police', description: 'Monthly tasking of named locations and people causing harm in Loughborough. Closed: its papers discuss individuals.', venue: 'Loughborough Police Station', startsAt: '09:30' })

  // The chair and deputy chair were members before the meeting that elected them.
  await member(csp, { contactId: contact.chair }, 'member', 'Charnwood Borough Council', joined, { toDate: addDays(older, -1) })
  await member(csp, { userId: boardMember }, 'member', 'Office of the Police and Crime Commissioner for Leicestershire', joined, { toDate: addDays(older, -1) })
  await member(csp, { contactId: contact.inspector }, 'member', 'Leicestershire Police')
  await member(csp, { contactId: contact.fire }, 'member', 'Leicestershire Fire and Rescue Service')
  await member(csp, { contactId: contact.probation }, 'member', 'Probation Service (Leicester, Leicestershire and Rutland)')
  await member(csp, { userId: hannah }, 'officer', 'Charnwood Borough Council')
  await member(csp, { userId: clerk }, 'clerk', 'Leicestershire County Council')
  await member(csp, { contactId: contact.bid }, 'in_attendance', null, addDays(older, -30))

  await member(group, { contactId: contact.inspector }, 'chair', 'Leicestershire Police')
  await member(group, { userId: hannah }, 'officer', 'Charnwood Borough Council')
  await member(group, { userId: nadia }, 'member', 'Soar Valley Homes (demonstration housing provider)')
  await member(group, { userId: jordan }, 'member', 'Leicestershire Police')
  await member(group, { userId: clerk }, 'clerk', 'Leicestershire County Council')

  await member(jag, { contactId: contact.inspector }, 'chair', 'Leicestershire Police')
  await member(jag, { userId: jordan }, 'member', 'Leicestershire Police')
  await member(jag, { userId: hannah }, 'member', 'Charnwood Borough Council')
  await member(jag, { userId: nadia }, 'member', 'Soar Valley Homes (demonstration housing provider)')
  await member(jag, { userId: clerk }, 'clerk', 'Leicestershire County Council')

  // ---- meetings of the partnership ----

  const meeting = async (bodyId: string, values: { meetsOn: string; startsAt: string; venue: string; held: boolean; closedAt?: string }) =>
    (
      await trx
        .insertInto('meetings')
        .values({
          body_id: bodyId,
          meets_on: values.meetsOn,
          starts_at: values.startsAt,
          venue: values.venue,
          status: values.held ? 'held' : 'scheduled',
          agenda_published_at: values.held ? at(addDays(values.meetsOn, -7)) : null,
          agenda_published_by: values.held ? clerk : null,
          closed_at: values.closedAt ?? null,
          created_by: clerk,
          created_at: at(addDays(values.meetsOn, -60)),
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id

  interface Item {
    kind: string
    title: string
    description?: string
    hotTopic?: string
    presenter?: { userId: string } | { contactId: string }
    presenterRole?: string
    minutes?: string
    resolutions?: string[]
    deferredReason?: string
    deferredFromItemId?: string
  }
  /** Places the items in order and returns their ids by position. */
  const agenda = async (bodyId: string, meetingId: string, items: Item[]) => {
    const ids: string[] = []
    for (const [index, item] of items.entries()) {
      const row = await trx
        .insertInto('agenda_items')
        .values({
          body_id: bodyId,
          meeting_id: meetingId,
          position: index + 1,
          kind: item.kind,
          title: item.title,
          description: item.description ?? null,
          hot_topic: item.hotTopic ?? null,
          presenter_user_id: item.presenter && 'userId' in item.presenter ? item.presenter.userId : null,
          presenter_contact_id: item.presenter && 'contactId' in item.presenter ? item.presenter.contactId : null,
          presenter_role: item.presenterRole ?? null,
          minutes: item.minutes ?? null,
          deferred_reason: item.deferredReason ?? null,
          deferred_from_item_id: item.deferredFromItemId ?? null,
          created_by: clerk,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      for (const [position, text] of (item.resolutions ?? []).entries()) {
        await trx.insertInto('resolutions').values({ agenda_item_id: row.id, kind: 'resolved', position: position + 1, text, created_by: clerk }).execute()
      }
      ids.push(row.id)
    }
    return ids
  }
  const attendance = async (meetingId: string, rows: { person: { userId: string } | { contactId: string }; status: 'present' | 'in_attendance' | 'apologies'; roleLabel: string; organisationName: string; note?: string }[]) => {
    for (const row of rows) {
      await trx
        .insertInto('meeting_attendance')
        .values({ meeting_id: meetingId, user_id: 'userId' in row.person ? row.person.userId : null, contact_id: 'contactId' in row.person ? row.person.contactId : null, status: row.status, role_label: row.roleLabel, organisation_name: row.organisationName, note: row.note ?? null, recorded_by: clerk })
        .execute()
    }
  }

  const year = municipalYearOf(older)
  const opening = (previous: string): Item[] => [
    { kind: 'apologies', title: 'Apologies for absence', minutes: 'Apologies were received as recorded above.' },
    {
      kind: 'previous_minutes',
      title: 'Minutes of the previous meeting',
      minutes: 'The minutes of the previous meeting were taken as read.',
      resolutions: [`that the minutes of the meeting held on ${dayMonth(previous)} be taken as read and confirmed as a correct record`],
    },
    { kind: 'matters_arising', title: 'Matters arising', minutes: 'There were no matters arising that were not covered elsewhere on the agenda.' },
    { kind: 'action_log', title: 'Action log', minutes: 'The Community Safety Coordinator took members through the action log. Completed actions would be removed from the next log.', resolutions: ['that the status of the action log be noted'] },
    // The minutes print the declarations recorded for the meeting under this item.
    { kind: 'declarations', title: 'Declarations of interest' },
  ]
  const closing = (next: string): Item[] => [
    { kind: 'any_other_business', title: 'Any other business', minutes: 'There was no other business.' },
    { kind: 'next_meeting', title: 'Date of next meeting', minutes: `The next meeting would be held on ${dayMonth(next)} at 2.00pm.` },
  ]

  // The older meeting: the annual election, reports on shoplifting and Op Lantern, a Hot Topic, and a deferred item.
  const first = await meeting(csp, { meetsOn: older, startsAt: '14:00', venue: 'Council Chamber, Southfields, Loughborough', held: true, closedAt: '15:52' })
  const firstItems = await agenda(csp, first, [
    {
      kind: 'election',
      title: `Election of Chair and Deputy Chair for ${year}`,
      minutes: 'Nominations were received for the offices of Chair and Deputy Chair. There being no other nominations, it was',
      resolutions: [`that Cllr Morgan Ellis be elected Chair of the Charnwood Community Safety Partnership for the municipal year ${year}`, `that Bo Member be elected Deputy Chair of the Charnwood Community Safety Partnership for the municipal year ${year}`],
    },
    ...opening(addDays(older, -91)),
    {
      kind: 'report',
      title: 'Shoplifting in Loughborough town centre',
      presenter: { contactId: contact.inspector },
      presenterRole: 'Charnwood NPA Commander',
      description: 'Problem profile of retail crime in the town centre, with the Business Improvement District.',
      minutes:
        'Inspector Dunmore reported that shoplifting in Loughborough town centre had risen by 35.7% on the same period last year, concentrated in four stores on Market Place and the Carillon Court shopping centre. Much of it was linked to a small number of prolific offenders with drug dependency. The Business Improvement District described the radio scheme and the banning notice process. Members asked for the number of offenders referred to drug treatment, not just the percentage.',
      resolutions: ['that the contents of the report be noted', 'that a joint retail crime action plan be brought to the next meeting'],
    },
    {
      kind: 'report',
      title: 'Op Lantern: seasonal anti-social behaviour plan',
      presenter: { userId: hannah },
      presenterRole: 'Community Safety Officer, Charnwood Borough Council',
      minutes:
        'The Community Safety Officer presented the plans for Op Lantern: high-visibility patrols at the seasonal hotspots, test purchases of alcohol and fireworks with Trading Standards, diversionary activities with the youth service, and a dispersal direction ready for authorisation if needed. Last year ASB calls in the operation’s areas had fallen by 18%.',
      resolutions: ['that the contents of the report be noted'],
    },
    {
      kind: 'report',
      title: 'Domestic abuse: safe accommodation update',
      deferredReason: 'Deferred until the next meeting due to the absence of the presenting officer.',
      minutes: 'This item was deferred until the next meeting due to the absence of the presenting officer.',
    },
    {
      kind: 'hot_topics',
      title: 'Hot Topics',
      hotTopic: 'E-scooters on pavements in Loughborough town centre',
      presenter: { userId: jordan },
      presenterRole: 'Beat Officer, Loughborough Central',
      minutes: 'PC Hayes raised complaints about privately owned e-scooters ridden on pavements and in the pedestrian zone, and the risk to older and disabled people. Enforcement had seized six e-scooters in the last month.',
      resolutions: ['that the issue be referred to the ASB Delivery Group for a problem-solving plan'],
    },
    ...closing(newer),
  ])
  const [, , , , , , shoplifting, lantern, deferred, hotTopic] = firstItems as [string, string, string, string, string, string, string, string, string, string]
  await attendance(first, [
    { person: { contactId: contact.chair }, status: 'present', roleLabel: 'Chair', organisationName: 'Charnwood Borough Council' },
    { person: { userId: boardMember }, status: 'present', roleLabel: 'Deputy Chair', organisationName: 'Office of the Police and Crime Commissioner for Leicestershire' },
    { person: { contactId: contact.inspector }, status: 'present', roleLabel: 'Charnwood NPA Commander', organisationName: 'Leicestershire Police' },
    { person: { contactId: contact.fire }, status: 'present', roleLabel: 'Community Risk Manager', organisationName: 'Leicestershire Fire and Rescue Service' },
    { person: { userId: clerk }, status: 'in_attendance', roleLabel: 'Community Safety Coordinator (Clerk)', organisationName: 'Leicestershire County Council' },
    { person: { userId: hannah }, status: 'in_attendance', roleLabel: 'Community Safety Officer', organisationName: 'Charnwood Borough Council' },
    { person: { userId: jordan }, status: 'in_attendance', roleLabel: 'Beat Officer', organisationName: 'Leicestershire Police', note: 'For the Hot Topics item' },
    { person: { contactId: contact.bid }, status: 'in_attendance', roleLabel: 'Town Centre Manager', organisationName: 'Loughborough Business Improvement District (demonstration)' },
    { person: { contactId: contact.probation }, status: 'apologies', roleLabel: 'Head of Charnwood Probation Delivery Unit', organisationName: 'Probation Service (Leicester, Leicestershire and Rutland)' },
  ])

  // The chair and deputy chair hold office from the older meeting, by its resolutions.
  const elected = await trx.selectFrom('resolutions').select(['id', 'position']).where('agenda_item_id', '=', firstItems[0]!).orderBy('position').execute()
  await member(csp, { contactId: contact.chair }, 'chair', 'Charnwood Borough Council', older, { municipalYear: year, resolutionId: elected[0]!.id })
  await member(csp, { userId: boardMember }, 'deputy_chair', 'Office of the Police and Crime Commissioner for Leicestershire', older, { municipalYear: year, resolutionId: elected[1]!.id })

  // The newer meeting: the drone bid, the youth project (taken early by agenda variance), the deferred item.
  const second = await meeting(csp, { meetsOn: newer, startsAt: '14:00', venue: 'Microsoft Teams', held: true, closedAt: '16:05' })
  const secondItems = await agenda(csp, second, [
    ...opening(older),
    {
      kind: 'report',
      title: 'Drone bid: tasking drone for Charnwood',
      presenter: { contactId: contact.inspector },
      presenterRole: 'Charnwood NPA Commander',
      description: 'Bid to the partnership fund for a drone for ASB, missing persons and rural crime tasking.',
      minutes:
        'Inspector Dunmore presented a bid of £2,380.00 against the partnership allocation of £3,000.00 towards a tasking drone, to be shared with the rural crime team. Quotes had been compared. Members asked how its use would be reported back to the partnership.',
      resolutions: ['that the contents of the report be noted', 'that the bid of £2,380.00 be supported, subject to a quarterly report on the drone’s use'],
    },
    {
      kind: 'presentation',
      title: 'Detached youth work in Loughborough',
      presenter: { contactId: contact.youth },
      presenterRole: 'Detached Youth Work Lead, Soar Valley Youth Project',
      minutes:
        'With the agreement of the meeting this item was taken before item 6 as the presenter had to leave. Dan Whitmore described the project’s evening sessions around the town centre and the Shelthorpe estate, and the young people’s views on e-scooters and on feeling safe at the bus station.',
      resolutions: ['that the presentation be noted and the partnership’s thanks be recorded'],
    },
    {
      kind: 'report',
      title: 'Domestic abuse: safe accommodation update',
      presenter: { userId: clerk },
      presenterRole: 'Community Safety Coordinator',
      deferredFromItemId: deferred,
      minutes: 'The Coordinator updated members on the safe accommodation duty and the new refuge spaces in the county. Referrals from Charnwood had risen in the last quarter.',
      resolutions: ['that the contents of the report be noted'],
    },
    {
      kind: 'hot_topics',
      title: 'Hot Topics',
      hotTopic: 'Anti-social behaviour around Loughborough bus station after school',
      presenter: { userId: boardMember },
      presenterRole: 'Office of the Police and Crime Commissioner',
      minutes: 'The Deputy Chair raised reports of groups gathering at the bus station after school, and asked whether the Safer Streets funding could extend to the bus station.',
    },
    ...closing(upcoming),
  ])
  const [, , , , , drone, youth, , busStation] = secondItems as [string, string, string, string, string, string, string, string, string]
  await trx.updateTable('agenda_items').set({ taken_before_item_id: drone }).where('id', '=', youth).execute()
  await trx.insertInto('meeting_declarations').values({ meeting_id: second, agenda_item_id: youth, contact_id: contact.chair, interest: 'Non-pecuniary interest: a trustee of the Soar Valley Youth Project', recorded_by: clerk }).execute()
  await attendance(second, [
    { person: { contactId: contact.chair }, status: 'present', roleLabel: 'Chair', organisationName: 'Charnwood Borough Council' },
    { person: { userId: boardMember }, status: 'present', roleLabel: 'Deputy Chair', organisationName: 'Office of the Police and Crime Commissioner for Leicestershire' },
    { person: { contactId: contact.inspector }, status: 'present', roleLabel: 'Charnwood NPA Commander', organisationName: 'Leicestershire Police' },
    { person: { contactId: contact.probation }, status: 'present', roleLabel: 'Head of Charnwood Probation Delivery Unit', organisationName: 'Probation Service (Leicester, Leicestershire and Rutland)' },
    { person: { userId: clerk }, status: 'in_attendance', roleLabel: 'Community Safety Coordinator (Clerk)', organisationName: 'Leicestershire County Council' },
    { person: { userId: hannah }, status: 'in_attendance', roleLabel: 'Community Safety Officer', organisationName: 'Charnwood Borough Council' },
    { person: { contactId: contact.youth }, status: 'in_attendance', roleLabel: 'Detached Youth Work Lead', organisationName: 'Soar Valley Youth Project (demonstration charity)', note: 'For item 7' },
    { person: { contactId: contact.fire }, status: 'apologies', roleLabel: 'Community Risk Manager', organisationName: 'Leicestershire Fire and Rescue Service' },
  ])

  // The older minutes were confirmed at the newer meeting; the newer ones are published, awaiting confirmation.
  await trx.updateTable('meetings').set({ minutes_status: 'confirmed', minutes_published_at: at(addDays(older, 7)), minutes_confirmed_at: at(newer, '15:00'), minutes_confirmed_at_meeting_id: second }).where('id', '=', first).execute()
  await trx.updateTable('meetings').set({ minutes_status: 'published', minutes_published_at: at(addDays(newer, 7)) }).where('id', '=', second).execute()

  // ---- the action log ----

  const action = async (values: { meetingId: string; itemId: string; text: string; owners: Ref[]; dueOn?: string; status: Status; updates: { on: string; status: Status; comment: string; meetingId?: string }[] }) => {
    const created = values.meetingId === first ? older : newer
    const row = await trx
      .insertInto('actions')
      .values({
        body_id: csp,
        meeting_id: values.meetingId,
        agenda_item_id: values.itemId,
        text: values.text,
        due_on: values.dueOn ?? null,
        due_next_meeting: !values.dueOn,
        status: values.status,
        completed_at: values.status === 'complete' ? at(values.updates.at(-1)!.on) : null,
        created_by: clerk,
        created_at: at(created, '16:00'),
        updated_at: at(values.updates.at(-1)?.on ?? created, '16:00'),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    for (const owner of values.owners) {
      await trx
        .insertInto('action_owners')
        .values({ action_id: row.id, user_id: 'userId' in owner ? owner.userId : null, contact_id: 'contactId' in owner ? owner.contactId : null, organisation_id: 'organisationId' in owner ? owner.organisationId : null })
        .execute()
    }
    for (const update of values.updates) {
      await trx.insertInto('action_updates').values({ action_id: row.id, status: update.status, comment: update.comment, meeting_id: update.meetingId ?? null, updated_by: clerk, created_at: at(update.on, '10:00') }).execute()
    }
  }

  await action({ meetingId: first, itemId: shoplifting, text: 'RD to circulate the town centre shoplifting problem profile to partners', owners: [{ contactId: contact.inspector }], dueOn: addDays(older, 14), status: 'complete', updates: [{ on: addDays(older, 10), status: 'complete', comment: 'Circulated by email to all members.' }] })
  await action({
    meetingId: first,
    itemId: shoplifting,
    text: 'Charnwood Borough Council to review CCTV coverage of Market Place and Carillon Court',
    owners: [{ organisationId: organisation('Charnwood Borough Council') }],
    dueOn: addDays(older, 60),
    status: 'incomplete',
    updates: [{ on: newer, status: 'incomplete', comment: 'Site survey done; the report on camera positions is awaited. Carried forward.', meetingId: second }],
  })
  await action({ meetingId: first, itemId: lantern, text: 'HP to circulate the Op Lantern evaluation to partners', owners: [{ userId: hannah }], dueOn: addDays(older, 45), status: 'complete', updates: [{ on: addDays(older, 40), status: 'complete', comment: 'Evaluation circulated: ASB calls in the operation’s areas down 18% on last year.' }] })
  await action({
    meetingId: first,
    itemId: hotTopic,
    text: 'JH and Charnwood Borough Council to map e-scooter complaints in the town centre for the ASB Delivery Group',
    owners: [{ userId: jordan }, { organisationId: organisation('Charnwood Borough Council') }],
    dueOn: addDays(older, 56),
    status: 'no_update',
    updates: [{ on: newer, status: 'no_update', comment: 'No update provided.', meetingId: second }],
  })
  await action({ meetingId: second, itemId: drone, text: 'Pat Coordinator to circulate the drone bid to partners', owners: [{ userId: clerk }], status: 'open', updates: [] })
  await action({
    meetingId: second,
    itemId: drone,
    text: 'RD to bring the first quarterly report on the drone’s use',
    owners: [{ contactId: contact.inspector }],
    dueOn: addDays(newer, 84),
    status: 'ongoing',
    updates: [{ on: addDays(newer, 30), status: 'ongoing', comment: 'Drone delivered; pilots in training.' }],
  })
  await action({ meetingId: second, itemId: youth, text: 'Soar Valley Youth Project to share its detached session times and places with the neighbourhood policing team', owners: [{ contactId: contact.youth }], dueOn: addDays(newer, 28), status: 'open', updates: [] })
  await action({ meetingId: second, itemId: busStation, text: 'OPCC to confirm whether Safer Streets funding can extend to Loughborough bus station', owners: [{ userId: boardMember }], dueOn: addDays(today, 10), status: 'open', updates: [] })

  // ---- the next meeting and the forward programme ----

  const next = await meeting(csp, { meetsOn: upcoming, startsAt: '14:00', venue: 'Council Chamber, Southfields, Loughborough', held: false })
  await agenda(csp, next, [
    ...opening(newer).map((item) => ({ kind: item.kind, title: item.title })),
    { kind: 'report', title: 'Retail crime action plan for Loughborough town centre', presenter: { contactId: contact.bid }, presenterRole: 'Town Centre Manager, Loughborough BID' },
    { kind: 'report', title: 'Partnership plan: mid-year performance', presenter: { userId: clerk }, presenterRole: 'Community Safety Coordinator' },
    { kind: 'presentation', title: 'E-scooters: enforcement and engagement', presenter: { userId: jordan }, presenterRole: 'Beat Officer, Loughborough Central' },
    { kind: 'hot_topics', title: 'Hot Topics' },
    ...closing(addDays(upcoming, 91)).map((item) => ({ kind: item.kind, title: item.title })),
  ])
  await trx
    .insertInto('agenda_items')
    .values({ body_id: csp, meeting_id: null, position: null, kind: 'report', title: 'Serious violence duty: refresh of the strategic needs assessment', description: 'With the Violence Reduction Network; to be programmed when the county assessment is published.', created_by: clerk })
    .execute()

  // The closed JAG meets next week: only its members see it.
  await meeting(jag, { meetsOn: addDays(today, 7), startsAt: '09:30', venue: 'Loughborough Police Station', held: false })
  return true
}
