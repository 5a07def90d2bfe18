import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Agent, createTestApp, type TestApp } from '../../../test/helpers/app.js'
import { type AsbFactories, asbFactories } from '../../../test/helpers/asb-factories.js'
import { createViewEnvironment } from '../../platform/views/views.js'
import { addDays, todayInLondon } from '../../platform/dates.js'

let t: TestApp
let asb: AsbFactories
let owner: { id: string }
let manager: Agent & { user: { id: string; organisationId: string } }

const db = () => t.testDb.database.db
const today = todayInLondon()
const daysAgo = (days: number) => addDays(today, -days)

beforeAll(async () => {
  t = await createTestApp()
  asb = asbFactories(db())
  owner = await t.factories.organisation()
  manager = await t.signInAs(['case_manager'], { organisationId: owner.id })
})
afterAll(() => t.close())

async function caseWithPerson(options: { dateOfBirth?: string; status?: 'open' | 'closed' } = {}) {
  const caseRow = await asb.case({ owningOrganisationId: owner.id, status: options.status })
  const person = await asb.person({ givenNames: 'Pat', familyName: 'Perpetrator', dateOfBirth: options.dateOfBirth ?? '1990-01-01' })
  await asb.linkPerson(caseRow.id, person.id, 'perpetrator')
  return { caseId: caseRow.id, personId: person.id }
}

function dateFields(prefix: string, iso: string) {
  const [year, month, day] = iso.split('-') as [string, string, string]
  return { [`${prefix}-day`]: String(Number(day)), [`${prefix}-month`]: String(Number(month)), [`${prefix}-year`]: year }
}

function fieldError(body: string, id: string) {
  const match = new RegExp(`<p id="${id}-error" class="govuk-error-message">[\\s\\S]*?</span>([^<]*)</p>`).exec(body)?.[1]?.trim()
  return match?.replace(/&#39;/g, "'")
}

async function submitIntervention(agent: Agent, caseId: string, type: string, fields: Record<string, string>) {
  const url = `/cases/${caseId}/interventions/new?type=${type}`
  return agent.submit(url, fields, { formPage: url })
}

describe('recording interventions through the form', () => {
  it('lets the officer choose a type grouped by stage, then shows the fields for that type', async () => {
    const { caseId } = await caseWithPerson()
    const choose = await manager.get(`/cases/${caseId}/interventions/new`)
    expect(choose.statusCode).toBe(200)
    for (const stage of ['Early intervention', 'Second stage', 'Formal action', 'Enforcement']) expect(choose.body).toContain(stage)
    expect(choose.body).toContain('value="cpw"')

    const none = await manager.get(`/cases/${caseId}/interventions/new?type=`)
    expect(none.statusCode).toBe(400)
    expect(fieldError(none.body, 'type')).toBe('Select the type of intervention')

    const injunction = await manager.get(`/cases/${caseId}/interventions/new?type=civil_injunction`)
    expect(injunction.body).toContain('name="prohibitions"')
    expect(injunction.body).toContain('name="powerOfArrest"')
    expect(injunction.body).toContain('name="court"')
    const letter = await manager.get(`/cases/${caseId}/interventions/new?type=warning_letter`)
    expect(letter.body).not.toContain('name="prohibitions"')
    expect(letter.body).not.toContain('name="powerOfArrest"')
    // The CPW's 28 days are filled in from the type.
    const cpw = await manager.get(`/cases/${caseId}/interventions/new?type=cpw`)
    const expiry = addDays(today, 28).split('-')
    expect(cpw.body).toContain(`name="expiresOn-year" type="text" value="${expiry[0]}"`)
  })

  it('a CPW then a CPN for the same person works; the timeline and audit record each', async () => {
    const { caseId, personId } = await caseWithPerson()
    const cpw = await submitIntervention(manager, caseId, 'cpw', { personId, ...dateFields('issuedOn', daysAgo(30)), prohibitions: 'Must not play amplified music after 11pm' })
    expect(cpw.statusCode).toBe(302)
    expect(cpw.headers.location).toBe(`/cases/${caseId}#interventions`)
    const cpn = await submitIntervention(manager, caseId, 'cpn', { personId, ...dateFields('issuedOn', daysAgo(1)) })
    expect(cpn.statusCode).toBe(302)

    const rows = await db().selectFrom('interventions').selectAll().where('case_id', '=', caseId).orderBy('issued_on').execute()
    expect(rows.map((row) => row.type_code)).toEqual(['cpw', 'cpn'])
    expect(rows[0]).toMatchObject({ person_id: personId, officer_id: manager.user.id, organisation_id: owner.id, expires_on: addDays(daysAgo(30), 28), prohibitions: 'Must not play amplified music after 11pm', status: 'active' })
    expect(rows[1]!.expires_on).toBeNull()
    const events = await db().selectFrom('case_events').select(['kind', 'summary']).where('case_id', '=', caseId).orderBy('id').execute()
    expect(events).toEqual([
      { kind: 'intervention', summary: 'Intervention recorded: Community Protection Warning (second stage)' },
      { kind: 'intervention', summary: 'Intervention recorded: Community Protection Notice (formal action)' },
    ])
    const audit = await db().selectFrom('audit_events').selectAll().where('action', '=', 'intervention.recorded').where('record_id', '=', rows[1]!.id).execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]!.details).toMatchObject({ caseId, typeCode: 'cpn', personId })

    const ladder = await t.services.interventions.forCase({ userId: manager.user.id, organisationId: owner.id, ip: null }, caseId)
    expect(ladder.people[0]!.ladder.highestStage).toBe('formal')
    expect(ladder.people[0]!.ladder.stages.map((stage) => stage.state)).toEqual(['not_reached', 'reached', 'current', 'not_reached'])
    expect(ladder.people[0]!.interventions.map((intervention) => intervention.typeCode)).toEqual(['cpw', 'cpn'])
  })

  it('refuses a CPN without a CPW first', async () => {
    const { caseId, personId } = await caseWithPerson()
    const response = await submitIntervention(manager, caseId, 'cpn', { personId, ...dateFields('issuedOn', today) })
    expect(response.statusCode).toBe(400)
    expect(fieldError(response.body, 'personId')).toBe('A Community Protection Warning must be issued before a Community Protection Notice')
    expect(await db().selectFrom('interventions').select('id').where('case_id', '=', caseId).execute()).toHaveLength(0)
  })

  it('refuses a CPN for someone under 16, from their date of birth', async () => {
    const fifteen = addDays(today, -(15 * 365 + 10))
    const { caseId, personId } = await caseWithPerson({ dateOfBirth: fifteen })
    const cpw = await submitIntervention(manager, caseId, 'cpw', { personId, ...dateFields('issuedOn', today) })
    expect(cpw.statusCode).toBe(400)
    expect(fieldError(cpw.body, 'personId')).toBe('A Community Protection Warning can only be issued to someone aged 16 or over')
    const api = await manager.json('POST', `/api/v1/cases/${caseId}/interventions`, { typeCode: 'cpn', personId, issuedOn: today })
    expect(api.statusCode).toBe(400)
    expect(api.json().message).toBe('A Community Protection Notice can only be issued to someone aged 16 or over')
  })

  it('refuses an expiry beyond the maximum and an expiry before the issue date', async () => {
    const { caseId } = await caseWithPerson()
    const tooLong = await submitIntervention(manager, caseId, 'closure_notice', { premisesAddress: '12 High Street, Leicester', ...dateFields('issuedOn', daysAgo(5)), ...dateFields('expiresOn', daysAgo(2)) })
    expect(tooLong.statusCode).toBe(400)
    expect(fieldError(tooLong.body, 'expiresOn')).toMatch(/^A Closure notice can last no more than 2 days: the expiry date must be on or before /)
    const backwards = await submitIntervention(manager, caseId, 'warning_letter', { personId: '', ...dateFields('issuedOn', daysAgo(5)) })
    expect(fieldError(backwards.body, 'personId')).toBe('Select the person this is for')
    const { personId } = await caseWithPerson()
    const before = await manager.json('POST', `/api/v1/cases/${caseId}/interventions`, { typeCode: 'abc', personId, issuedOn: daysAgo(5), expiresOn: daysAgo(6) })
    expect(before.statusCode).toBe(400)
  })

  it('shows form errors for missing and impossible dates', async () => {
    const { caseId, personId } = await caseWithPerson()
    const missing = await submitIntervention(manager, caseId, 'advice', { personId })
    expect(missing.statusCode).toBe(400)
    expect(fieldError(missing.body, 'issuedOn')).toBe('Enter the date it was issued')
    expect(missing.body).toContain('href="#issuedOn-day"')
    const impossible = await submitIntervention(manager, caseId, 'advice', { personId, 'issuedOn-day': '31', 'issuedOn-month': '2', 'issuedOn-year': '2026' })
    expect(fieldError(impossible.body, 'issuedOn')).toBe('Date issued must be a real date')
  })

  it('a closure order for premises needs a closure notice for the same premises first', async () => {
    const { caseId } = await caseWithPerson()
    const premises = { premisesAddress: '5 Mill Lane, Loughborough' }
    const orderFirst = await submitIntervention(manager, caseId, 'closure_order', { ...premises, ...dateFields('issuedOn', daysAgo(1)) })
    expect(fieldError(orderFirst.body, 'premisesAddress')).toBe('A Closure notice must be issued before a Closure order')
    expect((await submitIntervention(manager, caseId, 'closure_notice', { ...premises, ...dateFields('issuedOn', daysAgo(2)) })).statusCode).toBe(302)
    expect((await submitIntervention(manager, caseId, 'closure_order', { premisesAddress: '5  mill lane, Loughborough', ...dateFields('issuedOn', daysAgo(1)), court: 'Leicester Magistrates' })).statusCode).toBe(302)
    const view = await t.services.interventions.forCase({ userId: manager.user.id, organisationId: owner.id, ip: null }, caseId)
    expect(view.premises.map((intervention) => [intervention.typeCode, intervention.premisesAddress, intervention.court])).toEqual([
      ['closure_notice', '5 Mill Lane, Loughborough', null],
      ['closure_order', '5 Mill Lane, Loughborough', 'Leicester Magistrates'],
    ])
  })
})

describe('breaches and outcomes', () => {
  async function caseWithCpn() {
    const { caseId, personId } = await caseWithPerson()
    const cpw = await manager.json('POST', `/api/v1/cases/${caseId}/interventions`, { typeCode: 'cpw', personId, issuedOn: daysAgo(40) })
    expect(cpw.statusCode).toBe(201)
    const cpn = await manager.json('POST', `/api/v1/cases/${caseId}/interventions`, { typeCode: 'cpn', personId, issuedOn: daysAgo(10) })
    expect(cpn.statusCode).toBe(201)
    expect(cpn.json()).toMatchObject({ typeCode: 'cpn', stage: 'formal', status: 'active' })
    return { caseId, personId, cpnId: cpn.json().id as string }
  }

  it('a fixed penalty defaults to the £100 of a CPN and marks it breached', async () => {
    const { caseId, cpnId } = await caseWithCpn()
    const url = `/cases/${caseId}/interventions/${cpnId}/breach`
    const page = await manager.get(url)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('name="fixedPenalty" type="text" spellcheck="false" value="100.00"')
    expect(page.body).toContain('The fixed penalty for a Community Protection Notice is £100.00.')
    const before = await manager.submit(url, { ...dateFields('breachedOn', daysAgo(11)), description: 'Music again', action: 'fixed_penalty', fixedPenalty: '100.00' })
    expect(before.statusCode).toBe(400)
    expect(fieldError(before.body, 'breachedOn')).toMatch(/^The date of the breach must be on or after the date issued/)
    const noAction = await manager.submit(url, { ...dateFields('breachedOn', daysAgo(2)), description: 'Music again' })
    expect(fieldError(noAction.body, 'action')).toBe('Select the action taken')

    const saved = await manager.submit(url, { ...dateFields('breachedOn', daysAgo(2)), description: 'Music again at 2am', action: 'fixed_penalty', fixedPenalty: '' })
    expect(saved.statusCode).toBe(302)
    const breach = await db().selectFrom('intervention_breaches').selectAll().where('intervention_id', '=', cpnId).executeTakeFirstOrThrow()
    expect(breach).toMatchObject({ action: 'fixed_penalty', fixed_penalty_pence: 10000, breached_on: daysAgo(2), recorded_by: manager.user.id })
    expect((await db().selectFrom('interventions').select('status').where('id', '=', cpnId).executeTakeFirstOrThrow()).status).toBe('breached')
    const event = await db().selectFrom('case_events').select('summary').where('case_id', '=', caseId).orderBy('id', 'desc').executeTakeFirstOrThrow()
    expect(event.summary).toBe('Breach of Community Protection Notice recorded: fixed penalty notice of £100.00')
    const audit = await db().selectFrom('audit_events').selectAll().where('action', '=', 'intervention.breach_recorded').where('record_id', '=', cpnId).execute()
    expect(audit[0]!.details).toMatchObject({ caseId, breachId: breach.id, fixedPenaltyPence: 10000 })
  })

  it('records a breach through the API, and a prosecution carries no penalty', async () => {
    const { caseId, cpnId } = await caseWithCpn()
    const response = await manager.json('POST', `/api/v1/cases/${caseId}/interventions/${cpnId}/breaches`, { breachedOn: daysAgo(1), description: 'Shouting', action: 'prosecution', fixedPenaltyPence: 5000 })
    expect(response.statusCode).toBe(201)
    expect(response.json()).toMatchObject({ interventionId: cpnId, action: 'prosecution', fixedPenaltyPence: null })
    const bad = await manager.json('POST', `/api/v1/cases/${caseId}/interventions/${cpnId}/breaches`, { breachedOn: daysAgo(1), description: '', action: 'caution' })
    expect(bad.statusCode).toBe(400)
  })

  it('records outcomes; only an ABC can be refused', async () => {
    const { caseId, personId, cpnId } = await caseWithCpn()
    const complied = await manager.submit(`/cases/${caseId}/interventions/${cpnId}/status`, { status: 'complied' })
    expect(complied.statusCode).toBe(302)
    expect((await db().selectFrom('interventions').select('status').where('id', '=', cpnId).executeTakeFirstOrThrow()).status).toBe('complied')
    const audit = await db().selectFrom('audit_events').selectAll().where('action', '=', 'intervention.updated').where('record_id', '=', cpnId).execute()
    expect(audit[0]!.details).toMatchObject({ status: { from: 'active', to: 'complied' } })

    const refusedCpn = await manager.json('POST', `/api/v1/cases/${caseId}/interventions/${cpnId}/status`, { status: 'refused' })
    expect(refusedCpn.statusCode).toBe(400)
    expect(refusedCpn.json().message).toBe('Only an Acceptable Behaviour Contract can be recorded as refused')
    const abc = await manager.json('POST', `/api/v1/cases/${caseId}/interventions`, { typeCode: 'abc', personId, issuedOn: today })
    const refused = await manager.json('POST', `/api/v1/cases/${caseId}/interventions/${abc.json().id}/status`, { status: 'refused' })
    expect(refused.statusCode).toBe(204)
  })
})

describe('who may record interventions', () => {
  it('an unrelated organisation gets 404', async () => {
    const { caseId, personId } = await caseWithPerson()
    const stranger = await t.signInAs(['case_manager'])
    expect((await stranger.get(`/cases/${caseId}/interventions/new`)).statusCode).toBe(404)
    expect((await stranger.json('GET', `/api/v1/cases/${caseId}/interventions`)).statusCode).toBe(404)
    expect((await stranger.json('POST', `/api/v1/cases/${caseId}/interventions`, { typeCode: 'advice', personId, issuedOn: today })).statusCode).toBe(404)
  })

  it('an organisation the case is shared with as a full contributor can record one, under its own name; a read or contribute share cannot', async () => {
    const { caseId, personId } = await caseWithPerson()
    const police = await t.factories.organisation({ type: 'police' })
    const share = await asb.share(caseId, police.id, manager.user.id, 'read')
    const officer = await t.signInAs(['case_manager'], { organisationId: police.id })
    for (const access of ['read', 'contribute'] as const) {
      await db().updateTable('case_shares').set({ access }).where('id', '=', share.id).execute()
      const refused = await officer.json('POST', `/api/v1/cases/${caseId}/interventions`, { typeCode: 'dispersal_direction', personId, issuedOn: today })
      expect(refused.statusCode, access).toBe(403)
      expect((await officer.get(`/cases/${caseId}/interventions/new`)).statusCode, access).toBe(403)
    }
    await db().updateTable('case_shares').set({ access: 'full' }).where('id', '=', share.id).execute()
    const response = await officer.json('POST', `/api/v1/cases/${caseId}/interventions`, { typeCode: 'dispersal_direction', personId, issuedOn: today })
    expect(response.statusCode).toBe(201)
    const row = await db().selectFrom('interventions').select(['organisation_id', 'expires_on']).where('id', '=', response.json().id).executeTakeFirstOrThrow()
    expect(row).toEqual({ organisation_id: police.id, expires_on: addDays(today, 2) })
  })

  it('a case viewer can read but gets 403 on changes', async () => {
    const { caseId, personId } = await caseWithPerson()
    const viewer = await t.signInAs(['case_viewer'], { organisationId: owner.id })
    expect((await viewer.json('GET', `/api/v1/cases/${caseId}/interventions`)).statusCode).toBe(200)
    expect((await viewer.json('GET', '/api/v1/intervention-types')).statusCode).toBe(200)
    expect((await viewer.get(`/cases/${caseId}/interventions/new`)).statusCode).toBe(403)
    expect((await viewer.json('POST', `/api/v1/cases/${caseId}/interventions`, { typeCode: 'advice', personId, issuedOn: today })).statusCode).toBe(403)
  })

  it('a closed case refuses changes', async () => {
    const { caseId, personId } = await caseWithPerson({ status: 'closed' })
    const response = await manager.json('POST', `/api/v1/cases/${caseId}/interventions`, { typeCode: 'advice', personId, issuedOn: today })
    expect(response.statusCode).toBe(409)
    expect(response.json().message).toBe('This case is closed. Reopen it before changing it.')
    expect((await manager.get(`/cases/${caseId}/interventions/new`)).statusCode).toBe(409)
  })
})

describe('the API and the case panel', () => {
  it('lists intervention types with their rules', async () => {
    const response = await manager.json('GET', '/api/v1/intervention-types')
    expect(response.json()).toContainEqual(expect.objectContaining({ code: 'cpn', requiresCode: 'cpw', minAge: 16, fixedPenaltyPence: 10000, stage: 'formal' }))
  })

  it('documents the risk and intervention API in OpenAPI', async () => {
    const spec = (await manager.get('/api/v1/openapi.json')).json()
    expect(spec.paths['/api/v1/cases/{caseId}/interventions'].post.tags).toEqual(['Interventions'])
    expect(spec.paths['/api/v1/cases/{caseId}/interventions/{id}/breaches'].post.responses['201']).toBeDefined()
    expect(spec.paths['/api/v1/cases/{caseId}/risk-assessments'].post.tags).toEqual(['Risk assessments'])
    expect(spec.paths['/api/v1/risk-questionnaire'].get).toBeDefined()
    expect(spec.paths['/cases/{caseId}/interventions/new']).toBeUndefined()
  })

  it('shows the ladder per person, then their interventions', async () => {
    const { caseId, personId } = await caseWithPerson()
    await manager.json('POST', `/api/v1/cases/${caseId}/interventions`, { typeCode: 'warning_letter', personId, issuedOn: daysAgo(3) })
    const panel = await t.services.interventions.forCase({ userId: manager.user.id, organisationId: owner.id, ip: null }, caseId)
    const api = await manager.json('GET', `/api/v1/cases/${caseId}/interventions`)
    expect(api.json().people[0]).toMatchObject({ personId, roles: ['perpetrator'], ladder: { highestStage: 'early' } })
    const env = createViewEnvironment()
    const context = { panels: { interventions: panel }, caseRecord: { id: caseId, reference: 'ASB-1', status: 'open', isOwner: true }, csrfToken: 'token' }
    const html = env.render('interventions/views/case-panel.njk', { ...context, canContribute: true })
    expect(html).toContain('<h2 class="govuk-heading-m" id="interventions-heading">Interventions</h2>')
    expect(html).toContain('Pat Perpetrator')
    expect(html).toContain('Current stage')
    expect(html).toContain('Warning letter')
    expect(html).toContain(`/cases/${caseId}/interventions/new`)
    expect(html).not.toContain('value="refused"')
    const readOnly = env.render('interventions/views/case-panel.njk', { ...context, canContribute: false })
    expect(readOnly).not.toContain('/interventions/new')
    expect(readOnly).not.toContain('Record a breach')
  })
})
