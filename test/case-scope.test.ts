import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccessEntry } from '../src/platform/http/access.js'
import { multipart, samples } from '../src/modules/documents/documents.fixtures.js'
import { createTestApp, type TestApp } from './helpers/app.js'
import { asbFactories } from './helpers/asb-factories.js'
import { asForm, caseChangeBody } from './helpers/case-change-bodies.js'

/**
 * Organisation scope over every route that names a case, person, incident, address, intervention, assessment, task or
 * document:
 * a case manager of an unrelated organisation must get 404 (the record's existence does not leak), never the record.
 */
let t: TestApp
let ids: Record<string, string>
let routes: AccessEntry[]
let answers: Record<string, boolean>

beforeAll(async () => {
  t = await createTestApp()
  const db = t.testDb.database.db
  const asb = asbFactories(db)
  const council = await t.factories.organisation({ type: 'council' })
  const officer = await t.factories.user({ roles: ['case_manager'], organisationId: council.id })
  const record = await asb.case({ owningOrganisationId: council.id, leadOfficerId: officer.id })
  const person = await asb.person({ createdByOrganisationId: council.id })
  await asb.linkPerson(record.id, person.id, 'victim')
  const location = await asb.location()
  const incident = await asb.incident({ organisationId: council.id, recordedBy: officer.id, caseId: record.id, locationId: location.id })
  const other = await t.factories.organisation()
  const { questionnaireId, assessment, intervention, task, document } = await asb.caseWork({ caseId: record.id, personId: person.id, organisationId: council.id, officerId: officer.id })
  const share = await db.insertInto('case_shares').values({ case_id: record.id, organisation_id: other.id, reason: 'x', shared_by: officer.id }).returning('id').executeTakeFirstOrThrow()
  ids = { case: record.id, person: person.id, incident: incident.id, location: location.id, assessment: assessment.id, intervention: intervention.id, task: task.id, share: share.id, document: document.id }
  routes = t.app.accessTable.filter((route) => route.method !== 'HEAD' && String(route.access).startsWith('cases:') && route.url.includes(':') && !route.url.includes('.:format'))
  const questions = await db.selectFrom('risk_questions').select('code').where('questionnaire_id', '=', questionnaireId).execute()
  answers = Object.fromEntries(questions.map((question) => [question.code, false]))
  ids.officer = officer.id
  ids.otherOrganisation = other.id
})
afterAll(() => t.close())

/** The record each parameter names, by the route's family. */
function addressOf(url: string): string {
  const family = url.split('/').find((part) => ['cases', 'people', 'incidents', 'locations', 'tasks'].includes(part))
  return url
    .replace(/\/risk-assessments\/:id/, `/risk-assessments/${ids.assessment}`)
    .replace(/\/interventions\/:id/, `/interventions/${ids.intervention}`)
    .replace(':caseId', ids.case!)
    .replace(':personId', ids.person!)
    .replace(':taskId', ids.task!)
    .replace(':shareId', ids.share!)
    .replace(':documentId', ids.document!)
    .replace(':id', { cases: ids.case, people: ids.person, incidents: ids.incident, locations: ids.location, tasks: ids.task }[family ?? 'cases']!)
}

describe('organisation scope over every record route', () => {
  it('covers the case, person, incident, address, assessment, intervention, task and document routes', () => {
    expect(routes.length).toBeGreaterThanOrEqual(40)
    for (const family of ['/cases/', '/people/', '/incidents/', '/locations/', '/tasks/', '/api/v1/cases/', '/api/v1/people/', '/api/v1/incidents/']) {
      expect(routes.some((route) => route.url.startsWith(family)), family).toBe(true)
    }
    const keys = routes.map((route) => `${route.method} ${route.url}`)
    for (const key of [
      'POST /cases/:caseId/documents/new',
      'GET /cases/:caseId/documents/:documentId/download',
      'POST /cases/:caseId/documents/:documentId/remove',
      'GET /api/v1/cases/:caseId/documents',
      'POST /api/v1/cases/:caseId/documents',
      'GET /api/v1/cases/:caseId/documents/:documentId/content',
      'POST /api/v1/cases/:caseId/documents/:documentId/remove',
    ]) {
      expect(keys).toContain(key)
    }
  })

  it('answers a case manager of an unrelated organisation with 404 on every one of them, and leaks nothing', async () => {
    const stranger = await t.signInAs(['case_manager'])
    await stranger.get('/')
    // A person the stranger may see, so that a merge is refused for the target alone.
    const theirs = await asbFactories(t.testDb.database.db).person({ createdByOrganisationId: stranger.user.organisationId })
    /** A valid body for each kind of change, so that every request reaches the scope check rather than stopping at validation. */
    const bodyFor = (url: string) => caseChangeBody(url, { caseId: ids.case!, personId: ids.person!, duplicateId: theirs.id, shareWithOrganisationId: ids.otherOrganisation!, assignToUserId: ids.officer!, answers })
    const failures: string[] = []
    for (const route of routes) {
      const url = addressOf(route.url)
      let response: LightMyRequestResponse
      if (route.method === 'POST' && /\/documents(\/new)?$/.test(url)) {
        // An upload, as the form or a script sends it: a valid file, so only the scope check can refuse it.
        const upload = multipart({ _csrf: stranger.csrfToken!, category: 'letter' }, { name: 'letter.pdf', data: samples.pdf() })
        response = await stranger.request({ method: 'POST', url, payload: upload.payload, headers: { ...upload.headers, 'x-csrf-token': stranger.csrfToken! } })
      } else if (route.method === 'GET') response = await stranger.get(url.endsWith('/people/' + ids.person + '/remove') ? `${url}?role=victim` : url)
      else if (url.startsWith('/api/')) response = await stranger.json(route.method as 'POST' | 'PATCH', url, bodyFor(url))
      else response = await stranger.submit(url, asForm(bodyFor(url)))
      if (response.statusCode !== 404) failures.push(`${route.method} ${route.url} -> ${url}: ${response.statusCode}`)
    }
    expect(failures).toEqual([])
    // Nothing was written by any of those calls.
    const db = t.testDb.database.db
    expect(await db.selectFrom('case_notes').select('id').execute()).toHaveLength(0)
    expect((await db.selectFrom('tasks').select('status').where('id', '=', ids.task!).executeTakeFirstOrThrow()).status).toBe('open')
    expect(await db.selectFrom('case_documents').select(['id', 'removed_at']).execute()).toEqual([{ id: ids.document, removed_at: null }])
    expect(await db.selectFrom('case_document_contents').select('document_id').execute()).toHaveLength(1)
  })
})
