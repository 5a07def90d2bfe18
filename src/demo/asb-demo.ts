import { sql, type Transaction } from 'kysely'
import type { DB } from '../platform/db/schema.js'
import { findOrCreateLocation } from '../modules/locations/locations.service.js'
import { scoreAnswers } from '../modules/risk/risk.scoring.js'

/**
 * Demonstration ASB cases across the LLR districts. Every person is synthetic: given and family names are drawn at random
 * from common lists and never describe anyone real. A fixed seed makes every fresh start show the same data.
 */
const GIVEN = ['Olivia', 'Amelia', 'Isla', 'Ava', 'Mia', 'Priya', 'Aisha', 'Zara', 'Grace', 'Ruby', 'Jack', 'Oliver', 'Harry', 'Mohammed', 'Arjun', 'Leo', 'Noah', 'Charlie', 'Tomasz', 'Kwame', 'Sophie', 'Daniel', 'Megan', 'Ryan']
const FAMILY = ['Smith', 'Jones', 'Patel', 'Khan', 'Taylor', 'Brown', 'Mistry', 'Williams', 'Wilson', 'Evans', 'Kowalski', 'Ahmed', 'Walker', 'Wright', 'Mensah', 'Chauhan', 'Hughes', 'Green', 'Lewis', 'Begum']
const STREETS = ['Station Road', 'Church Street', 'Victoria Road', 'Park Avenue', 'Mill Lane', 'High Street', 'Queens Road', 'Orchard Close', 'Beaumont Walk', 'Forest Road']

/** A rough centre for each district, with the council that owns cases there. */
const DISTRICTS = [
  { council: 'Leicester City Council', town: 'Leicester', postcode: 'LE', latitude: 52.6369, longitude: -1.1398 },
  { council: 'Charnwood Borough Council', town: 'Loughborough', postcode: 'LE11', latitude: 52.7721, longitude: -1.2062 },
  { council: 'Blaby District Council', town: 'Blaby', postcode: 'LE8', latitude: 52.5755, longitude: -1.165 },
  { council: 'Harborough District Council', town: 'Market Harborough', postcode: 'LE16', latitude: 52.4776, longitude: -0.921 },
  { council: 'Hinckley and Bosworth Borough Council', town: 'Hinckley', postcode: 'LE10', latitude: 52.5413, longitude: -1.3731 },
  { council: 'Melton Borough Council', town: 'Melton Mowbray', postcode: 'LE13', latitude: 52.7661, longitude: -0.8869 },
  { council: 'North West Leicestershire District Council', town: 'Coalville', postcode: 'LE67', latitude: 52.724, longitude: -1.37 },
  { council: 'Oadby and Wigston Borough Council', town: 'Oadby', postcode: 'LE2', latitude: 52.606, longitude: -1.08 },
  { council: 'Rutland County Council', town: 'Oakham', postcode: 'LE15', latitude: 52.6703, longitude: -0.7286 },
]

const SCENARIOS = [
  { title: 'Noise nuisance from neighbouring flat', type: 'victim_centred', incident: 'noise', description: 'Loud music and shouting from the flat upstairs until 3am, most nights.' },
  { title: 'Youths gathering and intimidating residents', type: 'location', incident: 'youth_related', description: 'Group of young people gathering by the shops, throwing stones at windows and shouting at passers-by.' },
  { title: 'Targeted harassment of elderly resident', type: 'victim_centred', incident: 'targeted_harassment', description: 'Neighbour repeatedly banging on the door and leaving abusive notes.' },
  { title: 'Off-road bikes on the recreation ground', type: 'location', incident: 'vehicle_nuisance', description: 'Off-road motorbikes ridden at speed across the recreation ground, near children playing.' },
  { title: 'Drug dealing from a rented house', type: 'perpetrator_centred', incident: 'drug_related', description: 'Frequent short visits to the house at all hours; drug paraphernalia found in the alley.' },
  { title: 'Racially abusive graffiti and verbal abuse', type: 'victim_centred', incident: 'hate_incident', description: 'Racist graffiti painted on the family’s fence; abuse shouted at the children on the way to school.' },
  { title: 'Repeated fly-tipping in the back lane', type: 'location', incident: 'fly_tipping', description: 'Household waste and mattresses dumped in the back lane again.' },
  { title: 'Neighbour dispute over parking and threats', type: 'perpetrator_centred', incident: 'neighbour_dispute', description: 'Argument over parking escalated to threats of violence.' },
] as const

/** A small deterministic generator (mulberry32), so the demonstration is the same on every fresh start. */
function random(seed: number) {
  let state = seed
  const next = () => {
    state = (state + 0x6d2b79f5) | 0
    let value = Math.imul(state ^ (state >>> 15), 1 | state)
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296
  }
  return { next, pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!, int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)) }
}

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000)
const isoDay = (date: Date) => date.toISOString().slice(0, 10)

export async function seedAsbDemonstration(trx: Transaction<DB>, organisationIds: Map<string, string>, officerIds: Map<string, string[]>) {
  const rng = random(20261123)
  const police = organisationIds.get('Leicestershire Police')!
  const housing = [...organisationIds].filter(([name]) => name.includes('housing provider')).map(([, id]) => id)
  const questionnaire = await trx.selectFrom('risk_questionnaires').selectAll().where('active', '=', true).executeTakeFirstOrThrow()
  const questions = await trx.selectFrom('risk_questions').select(['code', 'weight', 'high_on_yes as highOnYes']).where('questionnaire_id', '=', questionnaire.id).execute()
  const types = new Map((await trx.selectFrom('incident_types').select(['code', 'category']).execute()).map((row) => [row.code, row.category]))
  let caseNumber = 0
  let incidentNumber = 0
  const year = new Date().getFullYear()

  for (const [districtIndex, district] of DISTRICTS.entries()) {
    const councilId = organisationIds.get(district.council)!
    const officers = officerIds.get(district.council) ?? []
    const casesHere = district.council === 'Charnwood Borough Council' ? 10 : 4
    for (let index = 0; index < casesHere; index++) {
      const scenario = SCENARIOS[(districtIndex + index) % SCENARIOS.length]!
      const openedDaysAgo = rng.int(5, 200)
      const closed = index % 4 === 3
      const lead = officers.length ? officers[index % officers.length]! : null
      const street = `${rng.int(1, 140)} ${rng.pick(STREETS)}, ${district.town}`
      const locationId = await findOrCreateLocation(trx, {
        address: street,
        postcode: `${district.postcode}${district.postcode.length < 4 ? rng.int(1, 9) : ''} ${rng.int(1, 9)}${String.fromCharCode(65 + rng.int(0, 25))}${String.fromCharCode(65 + rng.int(0, 25))}`,
        latitude: district.latitude + (rng.next() - 0.5) * 0.02,
        longitude: district.longitude + (rng.next() - 0.5) * 0.02,
      })
      caseNumber++
      const opened = daysAgo(openedDaysAgo)
      const record = await trx
        .insertInto('cases')
        .values({
          reference: `ASB-${opened.getFullYear()}-${String(caseNumber).padStart(6, '0')}`,
          title: `${scenario.title}, ${district.town}`,
          type: scenario.type,
          status: closed ? 'closed' : rng.pick(['open', 'in_progress', 'in_progress', 'review']),
          priority: rng.pick(['normal', 'normal', 'high', 'low']),
          owning_organisation_id: councilId,
          lead_officer_id: lead,
          location_id: locationId,
          opened_at: opened,
          created_at: opened,
          closed_at: closed ? daysAgo(rng.int(1, openedDaysAgo - 1)) : null,
          closure_outcome: closed ? rng.pick(['resolved', 'improved', 'enforcement']) : null,
          closure_reason: closed ? 'No further reports since the last intervention; victim content for the case to close.' : null,
          victim_satisfaction: closed ? rng.pick(['very_satisfied', 'satisfied', 'satisfied', 'neither', 'dissatisfied']) : null,
          review_date: closed ? null : isoDay(daysAgo(-rng.int(-5, 25))),
          created_by: lead,
        })
        .returning('id')
        .executeTakeFirstOrThrow()

      const person = async (role: 'victim' | 'perpetrator' | 'witness', age: [number, number]) => {
        const row = await trx
          .insertInto('people')
          .values({
            given_names: rng.pick(GIVEN),
            family_name: rng.pick(FAMILY),
            date_of_birth: isoDay(daysAgo(365.25 * rng.int(age[0], age[1]) + rng.int(0, 364))),
            created_by: lead,
            created_by_organisation_id: councilId,
            vulnerable: role === 'victim' && rng.next() < 0.3,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
        await trx.insertInto('case_people').values({ case_id: record.id, person_id: row.id, role, added_by: lead }).execute()
        return row.id
      }
      const victim = scenario.type !== 'location' || rng.next() < 0.5 ? await person('victim', [19, 88]) : null
      const perpetrator = scenario.type !== 'victim_centred' || rng.next() < 0.7 ? await person('perpetrator', [14, 55]) : null
      if (rng.next() < 0.3) await person('witness', [18, 70])

      const incidentCount = rng.int(1, 4)
      for (let n = 0; n < incidentCount; n++) {
        incidentNumber++
        const occurred = daysAgo(openedDaysAgo + rng.int(0, 30) - n * 3)
        const hate = scenario.incident === 'hate_incident'
        await trx
          .insertInto('incidents')
          .values({
            reference: `INC-${occurred.getFullYear()}-${String(incidentNumber).padStart(6, '0')}`,
            occurred_at: occurred,
            reported_at: new Date(occurred.getTime() + rng.int(1, 48) * 3_600_000),
            channel: rng.pick(['phone', 'online', 'in_person', 'police_referral']),
            type_code: scenario.incident,
            category: types.get(scenario.incident)!,
            hate_motivated: hate,
            hate_strands: hate ? ['race'] : [],
            description: scenario.description,
            location_id: locationId,
            reporting_person_id: victim,
            case_id: record.id,
            organisation_id: n % 2 === 0 ? councilId : police,
            recorded_by: lead ?? officerIds.get('Leicestershire Police')![0]!,
          })
          .execute()
      }

      if (victim && lead) {
        const answers = Object.fromEntries(questions.map((question) => [question.code, question.code !== 'self_harm' && rng.next() < (scenario.incident === 'hate_incident' || scenario.incident === 'targeted_harassment' ? 0.6 : 0.3)]))
        const { score, level } = scoreAnswers(questions, { mediumThreshold: questionnaire.medium_threshold, highThreshold: questionnaire.high_threshold }, answers)
        await trx.insertInto('risk_assessments').values({ case_id: record.id, person_id: victim, questionnaire_id: questionnaire.id, answers: JSON.stringify(answers), score, level, assessed_by: lead, assessed_at: daysAgo(openedDaysAgo - 1) }).execute()
        await trx.updateTable('cases').set({ risk_level: level, high_risk: level === 'high' }).where('id', '=', record.id).execute()
      }

      if (perpetrator && lead && index % 2 === 0) {
        const steps = scenario.type === 'perpetrator_centred' ? ['warning_letter', 'cpw', 'cpn'] : ['warning_letter', 'abc']
        for (const [step, code] of steps.slice(0, rng.int(1, steps.length)).entries()) {
          await trx
            .insertInto('interventions')
            .values({ case_id: record.id, person_id: perpetrator, type_code: code, status: 'active', issued_on: isoDay(daysAgo(openedDaysAgo - 5 - step * 14)), officer_id: lead, organisation_id: councilId, prohibitions: code === 'warning_letter' ? null : 'Must not play amplified music audible outside the property between 11pm and 7am.' })
            .execute()
        }
      }

      const events = [{ kind: 'case', summary: 'Case opened', at: opened }]
      if (!closed && lead) {
        await trx.insertInto('tasks').values({ case_id: record.id, title: rng.pick(['Visit the victim and update the risk assessment', 'Check for further reports with the neighbourhood team', 'Send a warning letter', 'Arrange mediation']), assigned_to: lead, assigned_organisation_id: councilId, due_on: isoDay(daysAgo(rng.int(-20, 6))), created_by: lead }).execute()
      }
      if (index % 2 === 1 && officerIds.get('Leicestershire Police')?.length) {
        await trx.insertInto('case_shares').values({ case_id: record.id, organisation_id: police, reason: 'Joint working with the neighbourhood policing team', shared_by: lead ?? officers[0]!, shared_at: opened, access: 'full' }).execute()
        events.push({ kind: 'sharing', summary: 'Shared with Leicestershire Police (full contributor): joint working with the neighbourhood policing team', at: opened })
      }
      if (scenario.type === 'perpetrator_centred' && housing.length && lead) {
        await trx.insertInto('case_shares').values({ case_id: record.id, organisation_id: housing[index % housing.length]!, reason: 'Perpetrator is a tenant of the housing provider', shared_by: lead, shared_at: opened, access: 'read' }).execute()
      }
      for (const event of events) {
        await trx.insertInto('case_events').values({ case_id: record.id, kind: event.kind, summary: event.summary, user_id: lead, organisation_id: councilId, occurred_at: event.at }).execute()
      }
    }
  }
  // Later cases opened through the service continue the numbering.
  await sql`select setval('case_reference_seq', ${caseNumber})`.execute(trx)
  await sql`select setval('incident_reference_seq', ${incidentNumber})`.execute(trx)
  return { cases: caseNumber, incidents: incidentNumber, year }
}
