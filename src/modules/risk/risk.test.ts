import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Agent, createTestApp, type TestApp } from '../../../test/helpers/app.js'
import { type AsbFactories, asbFactories } from '../../../test/helpers/asb-factories.js'
import { createViewEnvironment } from '../../platform/views/views.js'
import { addDays, todayInLondon } from '../../platform/dates.js'
import { HIGH_RISK_TASK_TITLE, NOT_A_VICTIM_MESSAGE } from './risk.service.js'

let t: TestApp
let asb: AsbFactories
let owner: { id: string }
let manager: Agent & { user: { id: string; organisationId: string } }
let leadOfficer: { id: string; organisationId: string }
let codes: string[]

const db = () => t.testDb.database.db

beforeAll(async () => {
  t = await createTestApp()
  asb = asbFactories(db())
  owner = await t.factories.organisation()
  manager = await t.signInAs(['case_manager'], { organisationId: owner.id })
  leadOfficer = await t.factories.user({ roles: ['case_manager'], organisationId: owner.id })
  codes = (await t.services.risk.questionnaire()).questions.map((question) => question.code)
})
afterAll(() => t.close())

/** A case owned by `owner` with one victim on it. */
async function caseWithVictim(options: { leadOfficerId?: string; status?: 'open' | 'closed' } = {}) {
  const caseRow = await asb.case({ owningOrganisationId: owner.id, type: 'victim_centred', ...options })
  const victim = await asb.person({ givenNames: 'Alice', familyName: 'Victim' })
  await asb.linkPerson(caseRow.id, victim.id, 'victim')
  return { caseId: caseRow.id, personId: victim.id }
}

/** Answers as the form posts them: yes to the given codes, no to the rest. */
function formAnswers(yes: string[], skip: string[] = []) {
  return Object.fromEntries(codes.filter((code) => !skip.includes(code)).map((code) => [`answer-${code}`, yes.includes(code) ? 'yes' : 'no']))
}
function apiAnswers(yes: string[]) {
  return Object.fromEntries(codes.map((code) => [code, yes.includes(code)]))
}

// Weights in the seeded questionnaire: targeted 3, hate 4, repeat 3, escalating 3, violence 4 (=17), fear 3 (=20).
const HIGH_BY_SCORE = ['targeted', 'hate', 'repeat', 'escalating', 'violence', 'fear']
const MEDIUM = ['targeted', 'hate', 'repeat']

function fieldError(body: string, id: string) {
  return new RegExp(`<p id="${id}-error" class="govuk-error-message">[\\s\\S]*?</span>([^<]*)</p>`).exec(body)?.[1]?.trim()
}

async function auditRows(action: string, recordId?: string) {
  let query = db().selectFrom('audit_events').selectAll().where('action', '=', action)
  if (recordId) query = query.where('record_id', '=', recordId)
  return query.execute()
}

async function assess(agent: Agent, caseId: string, personId: string, yes: string[]): Promise<LightMyRequestResponse> {
  return agent.submit(`/cases/${caseId}/risk-assessments/new?personId=${personId}`, formAnswers(yes), { formPage: `/cases/${caseId}/risk-assessments/new?personId=${personId}` })
}

describe('recording a risk assessment through the form', () => {
  it('shows one yes/no question per row grouped by section', async () => {
    const { caseId, personId } = await caseWithVictim()
    const page = await manager.get(`/cases/${caseId}/risk-assessments/new?personId=${personId}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Victim risk assessment: Alice Victim')
    for (const section of ['The incidents', 'Impact', 'Vulnerability']) expect(page.body).toContain(`<h2 class="govuk-heading-m">${section}</h2>`)
    expect(page.body.match(/type="radio"/g)?.length).toBe(codes.length * 2)
  })

  it('asks for an answer to every question that was left out', async () => {
    const { caseId, personId } = await caseWithVictim()
    const url = `/cases/${caseId}/risk-assessments/new?personId=${personId}`
    const response = await manager.submit(url, formAnswers([], ['fear', 'sleep']), { formPage: url })
    expect(response.statusCode).toBe(400)
    expect(response.body).toContain('<title>Error: ')
    expect(fieldError(response.body, 'answer-fear')).toBe('Select yes or no')
    expect(fieldError(response.body, 'answer-sleep')).toBe('Select yes or no')
    expect(fieldError(response.body, 'answer-health')).toBeUndefined()
    expect(response.body).toContain('href="#answer-fear"')
    // What was answered is kept.
    expect(response.body).toMatch(/name="answer-health" type="radio" value="no" checked/)
    expect(await db().selectFrom('risk_assessments').select('id').where('case_id', '=', caseId).execute()).toHaveLength(0)
  })

  it('refuses a person who is not a victim on the case', async () => {
    const caseRow = await asb.case({ owningOrganisationId: owner.id })
    const perpetrator = await asb.person()
    await asb.linkPerson(caseRow.id, perpetrator.id, 'perpetrator')
    const page = await manager.get(`/cases/${caseRow.id}/risk-assessments/new?personId=${perpetrator.id}`)
    expect(page.statusCode).toBe(400)
    expect(page.body).toContain(NOT_A_VICTIM_MESSAGE)
    const api = await manager.json('POST', `/api/v1/cases/${caseRow.id}/risk-assessments`, { personId: perpetrator.id, answers: apiAnswers([]) })
    expect(api.statusCode).toBe(400)
    expect(api.json().message).toBe(NOT_A_VICTIM_MESSAGE)
  })

  it('a high result flags the case, sets the review date 14 days on and gives the lead officer a task', async () => {
    const { caseId, personId } = await caseWithVictim({ leadOfficerId: leadOfficer.id })
    const response = await assess(manager, caseId, personId, HIGH_BY_SCORE)
    expect(response.statusCode).toBe(302)
    const assessment = await db().selectFrom('risk_assessments').selectAll().where('case_id', '=', caseId).executeTakeFirstOrThrow()
    expect(response.headers.location).toBe(`/cases/${caseId}/risk-assessments/${assessment.id}`)
    expect(assessment).toMatchObject({ score: 20, level: 'high', person_id: personId, assessed_by: manager.user.id })
    expect(assessment.answers.fear).toBe(true)
    expect(assessment.answers.sleep).toBe(false)

    const caseRow = await db().selectFrom('cases').select(['risk_level', 'high_risk', 'review_date']).where('id', '=', caseId).executeTakeFirstOrThrow()
    const today = todayInLondon()
    expect(caseRow).toEqual({ risk_level: 'high', high_risk: true, review_date: addDays(today, 14) })

    const tasks = await db().selectFrom('tasks').selectAll().where('case_id', '=', caseId).execute()
    expect(tasks).toHaveLength(1)
    expect(tasks[0]).toMatchObject({ title: HIGH_RISK_TASK_TITLE, assigned_to: leadOfficer.id, assigned_organisation_id: owner.id, due_on: addDays(today, 1), created_by: manager.user.id, status: 'open' })

    const events = await db().selectFrom('case_events').select(['kind', 'summary', 'changes']).where('case_id', '=', caseId).orderBy('id').execute()
    expect(events[0]).toMatchObject({ kind: 'risk', summary: 'Risk assessment: high risk (score 20)' })
    expect(events[0]!.changes).toContainEqual({ field: 'highRisk', from: false, to: true })
    expect(events.map((event) => event.kind)).toContain('task')

    const [audit] = await auditRows('risk_assessment.recorded', assessment.id)
    expect(audit).toMatchObject({ user_id: manager.user.id, record_type: 'risk_assessment' })
    expect(audit!.details).toMatchObject({ caseId, level: 'high', score: 20 })
    expect(JSON.stringify(audit!.details)).not.toContain('Alice')
    expect(await auditRows('task.assigned', tasks[0]!.id)).toHaveLength(1)
  })

  it('a self-harm answer alone makes the result high', async () => {
    const { caseId, personId } = await caseWithVictim()
    const response = await manager.json('POST', `/api/v1/cases/${caseId}/risk-assessments`, { personId, answers: apiAnswers(['self_harm']) })
    expect(response.statusCode).toBe(201)
    expect(response.json()).toMatchObject({ level: 'high', score: 0, leadOfficerTaskId: null })
  })

  it('a medium result sets the review date 28 days on and makes no task', async () => {
    const { caseId, personId } = await caseWithVictim({ leadOfficerId: leadOfficer.id })
    const response = await manager.json('POST', `/api/v1/cases/${caseId}/risk-assessments`, { personId, answers: apiAnswers(MEDIUM), notes: 'Spoke on the phone' })
    expect(response.statusCode).toBe(201)
    expect(response.json()).toMatchObject({ level: 'medium', score: 10, reviewDate: addDays(todayInLondon(), 28) })
    expect(await db().selectFrom('tasks').select('id').where('case_id', '=', caseId).execute()).toHaveLength(0)
    const caseRow = await db().selectFrom('cases').select(['risk_level', 'high_risk']).where('id', '=', caseId).executeTakeFirstOrThrow()
    expect(caseRow).toEqual({ risk_level: 'medium', high_risk: false })
  })

  it('repeated assessments show the change and update the case to the latest', async () => {
    const { caseId, personId } = await caseWithVictim()
    await assess(manager, caseId, personId, MEDIUM)
    const second = await assess(manager, caseId, personId, HIGH_BY_SCORE)
    const page = await manager.get(second.headers.location as string)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('was medium, now high')
    expect(page.body).toContain('govuk-tag--red')
    const third = await assess(manager, caseId, personId, [])
    const thirdPage = await manager.get(third.headers.location as string)
    expect(thirdPage.body).toContain('was high, now standard')
    const caseRow = await db().selectFrom('cases').select(['risk_level', 'high_risk']).where('id', '=', caseId).executeTakeFirstOrThrow()
    expect(caseRow).toEqual({ risk_level: 'standard', high_risk: false })

    const id = /risk-assessments\/([0-9a-f-]+)$/.exec(second.headers.location as string)![1]!
    expect(await auditRows('risk_assessment.viewed', id)).toHaveLength(1)

    const history = await t.services.risk.forCase({ userId: manager.user.id, organisationId: owner.id, ip: null }, caseId)
    expect(history.victims).toHaveLength(1)
    expect(history.victims[0]!.assessments.map((assessment) => assessment.level)).toEqual(['standard', 'high', 'medium'])

    const api = await manager.json('GET', `/api/v1/cases/${caseId}/risk-assessments`)
    expect(api.statusCode).toBe(200)
    expect(api.json().victims[0].assessments.map((assessment: { score: number }) => assessment.score)).toEqual([0, 20, 10])
  })
})

describe('the risk API', () => {
  it('lists the active questionnaire', async () => {
    const response = await manager.json('GET', '/api/v1/risk-questionnaire')
    expect(response.statusCode).toBe(200)
    const body = response.json()
    expect(body).toMatchObject({ mediumThreshold: 10, highThreshold: 20, reviewDays: { standard: null, medium: 28, high: 14 } })
    expect(body.questions[0]).toMatchObject({ code: 'targeted', section: 'The incidents', weight: 3 })
  })

  it('names missing and unknown answer codes', async () => {
    const { caseId, personId } = await caseWithVictim()
    const { fear: _fear, ...withoutFear } = apiAnswers([])
    const missing = await manager.json('POST', `/api/v1/cases/${caseId}/risk-assessments`, { personId, answers: withoutFear })
    expect(missing.statusCode).toBe(400)
    expect(missing.json().message).toContain('fear')
    const unknown = await manager.json('POST', `/api/v1/cases/${caseId}/risk-assessments`, { personId, answers: { ...apiAnswers([]), shoe_size: true } })
    expect(unknown.statusCode).toBe(400)
    expect(unknown.json().message).toBe('Unknown question codes: shoe_size')
    const notBoolean = await manager.json('POST', `/api/v1/cases/${caseId}/risk-assessments`, { personId, answers: { ...apiAnswers([]), fear: 'yes' } })
    expect(notBoolean.statusCode).toBe(400)
  })
})

describe('who may assess', () => {
  it('an unrelated organisation gets 404', async () => {
    const { caseId, personId } = await caseWithVictim()
    const stranger = await t.signInAs(['case_manager'])
    expect((await stranger.get(`/cases/${caseId}/risk-assessments/new?personId=${personId}`)).statusCode).toBe(404)
    expect((await stranger.json('POST', `/api/v1/cases/${caseId}/risk-assessments`, { personId, answers: apiAnswers([]) })).statusCode).toBe(404)
    expect((await stranger.json('GET', `/api/v1/cases/${caseId}/risk-assessments`)).statusCode).toBe(404)
  })

  it('an organisation the case is shared with as a full contributor can assess; a read share cannot', async () => {
    const { caseId, personId } = await caseWithVictim()
    const partner = await t.factories.organisation({ type: 'police' })
    const share = await asb.share(caseId, partner.id, manager.user.id, 'read')
    const officer = await t.signInAs(['case_manager'], { organisationId: partner.id })
    expect((await officer.get(`/cases/${caseId}/risk-assessments/new?personId=${personId}`)).statusCode).toBe(403)
    expect((await officer.json('POST', `/api/v1/cases/${caseId}/risk-assessments`, { personId, answers: apiAnswers([]) })).statusCode).toBe(403)
    await db().updateTable('case_shares').set({ access: 'full' }).where('id', '=', share.id).execute()
    const response = await assess(officer, caseId, personId, MEDIUM)
    expect(response.statusCode).toBe(302)
  })

  it('a case viewer may read but not assess', async () => {
    const { caseId, personId } = await caseWithVictim()
    const viewer = await t.signInAs(['case_viewer'], { organisationId: owner.id })
    expect((await viewer.json('GET', `/api/v1/cases/${caseId}/risk-assessments`)).statusCode).toBe(200)
    expect((await viewer.get(`/cases/${caseId}/risk-assessments/new?personId=${personId}`)).statusCode).toBe(403)
    expect((await viewer.json('POST', `/api/v1/cases/${caseId}/risk-assessments`, { personId, answers: apiAnswers([]) })).statusCode).toBe(403)
  })

  it('a closed case refuses new assessments', async () => {
    const { caseId, personId } = await caseWithVictim({ status: 'closed' })
    const response = await manager.json('POST', `/api/v1/cases/${caseId}/risk-assessments`, { personId, answers: apiAnswers([]) })
    expect(response.statusCode).toBe(409)
    expect(response.json().message).toBe('This case is closed. Reopen it before changing it.')
  })
})

describe('the case panel', () => {
  it('shows each victim with their history and links to assess when the user can contribute', async () => {
    const { caseId, personId } = await caseWithVictim()
    await assess(manager, caseId, personId, HIGH_BY_SCORE)
    const panel = await t.services.risk.forCase({ userId: manager.user.id, organisationId: owner.id, ip: null }, caseId)
    const env = createViewEnvironment()
    const context = { panels: { risk: panel }, caseRecord: { id: caseId, reference: 'ASB-1', status: 'open', isOwner: true }, csrfToken: 'x' }
    const html = env.render('risk/views/case-panel.njk', { ...context, canContribute: true })
    expect(html).toContain('<h2 class="govuk-heading-m" id="risk-heading">Victim risk</h2>')
    expect(html).toContain('Alice Victim')
    expect(html).toContain('High risk')
    expect(html).toContain(`/cases/${caseId}/risk-assessments/new?personId=${personId}`)
    expect(env.render('risk/views/case-panel.njk', { ...context, canContribute: false })).not.toContain('risk-assessments/new')
  })
})
