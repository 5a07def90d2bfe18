import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Agent, createTestApp, type TestApp } from '../../../test/helpers/app.js'
import { asbFactories } from '../../../test/helpers/asb-factories.js'
import { governanceFactories } from '../../../test/helpers/governance-factories.js'
import { multipart, samples } from '../../modules/documents/documents.fixtures.js'
import { CONTROL_CHARACTER_MESSAGE, NOT_AN_OBJECT_MESSAGE } from './input-guard.js'

describe('the one rule for strings and bodies at the edge', () => {
  let t: TestApp
  let manager: Agent & { user: { id: string; organisationId: string } }
  let admin: Agent
  let token: string

  beforeAll(async () => {
    t = await createTestApp()
    manager = await t.signInAs(['case_manager', 'partnership_coordinator'])
    admin = await t.signInAs(['admin'])
    token = (await t.services.apiTokens.issue({ userId: manager.user.id, organisationId: manager.user.organisationId, ip: null }, { userId: manager.user.id, name: 'edge', expiresInDays: 1 })).token
  })
  afterAll(() => t.close())

  const db = () => t.testDb.database.db
  const api = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: string) =>
    t.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(payload !== undefined ? { payload } : {}) })

  it.each(['null', '[]', '[{"title": "x"}]', '"text"', '42'])('refuses a JSON body of %s where an object is expected, with a 400 naming the problem', async (payload) => {
    const body = await governanceFactories(db()).body({ createdBy: manager.user.id })
    const meeting = await governanceFactories(db()).meeting({ bodyId: body.id, createdBy: manager.user.id, meetsOn: '2030-01-10' })
    const response = await api('POST', `/api/v1/meetings/${meeting.id}/items`, payload)
    expect(response.statusCode).toBe(400)
    expect(response.json()).toEqual({ statusCode: 400, error: 'Bad Request', message: NOT_AN_OBJECT_MESSAGE })
  })

  it('refuses a NUL byte or another control character in any field of a JSON body, naming the field, and saves nothing', async () => {
    for (const name of ['Null\u0000Council', 'Bell\u0007Council', 'Escape\u001b[31m', 'Broken \ud800 pair']) {
      const response = await admin.json('POST', '/api/v1/organisations', { name, type: 'council' })
      expect(response.statusCode).toBe(400)
      expect(response.json().message).toBe(`body.name ${CONTROL_CHARACTER_MESSAGE}`)
    }
    const nested = await api('POST', '/api/v1/incidents', JSON.stringify({ description: 'Fine', hateStrands: ['race', 'x\u0000'] }))
    expect(nested.json().message).toBe(`body.hateStrands.1 ${CONTROL_CHARACTER_MESSAGE}`)
    const key = await api('POST', '/api/v1/incidents', JSON.stringify({ 'descr\u0000iption': 'Fine' }))
    expect(key.statusCode).toBe(400)
    expect(await db().selectFrom('organisations').select('id').where('name', 'like', '%Council%').execute()).toEqual([])
  })

  it('refuses a NUL byte in a query or an address, on the API and on pages', async () => {
    const query = await api('GET', '/api/v1/cases?q=a%00b')
    expect(query.statusCode).toBe(400)
    expect(query.json().message).toBe(`query.q ${CONTROL_CHARACTER_MESSAGE}`)
    expect((await api('GET', '/api/v1/people?address=%01')).statusCode).toBe(400)
    expect((await api('GET', '/api/v1/cases/%00')).statusCode).toBe(400)

    const page = await manager.get('/people?q=a%00b')
    expect(page.statusCode).toBe(400)
    expect(page.headers['content-type']).toContain('text/html')
    expect(page.body).toContain(`The web address ${CONTROL_CHARACTER_MESSAGE}`)
  })

  it('refuses a NUL byte in a form field with a page saying what to do, and saves nothing', async () => {
    const response = await manager.submit('/cases/new', { title: 'Noise\u0000 at flats', type: 'perpetrator_centred', priority: 'normal' })
    expect(response.statusCode).toBe(400)
    expect(response.body).toContain('There is a problem with your request')
    expect(response.body).toContain(`Your answer ${CONTROL_CHARACTER_MESSAGE}`)
    expect(await db().selectFrom('cases').select('id').where('title', 'like', 'Noise%').execute()).toEqual([])
    const notAForm = await manager.request({ method: 'POST', url: '/cases/new', payload: 'null', headers: { 'content-type': 'application/json', 'x-csrf-token': manager.csrfToken ?? '' } })
    expect(notAForm.statusCode).toBe(400)
    expect(notAForm.body).toContain('The form was not sent as a form')
  })

  it('keeps tabs and line breaks, which a text area posts', async () => {
    const kase = await asbFactories(db()).case({ owningOrganisationId: manager.user.organisationId })
    const text = 'First visit.\r\nSecond line\twith a tab.'
    const response = await manager.submit(`/cases/${kase.id}/notes/new`, { body: text }, { formPage: `/cases/${kase.id}/notes/new` })
    expect(response.statusCode).toBe(302)
    expect(await db().selectFrom('case_notes').select('body').where('case_id', '=', kase.id).execute()).toEqual([{ body: text }])
  })

  it('accepts and stores Welsh, accented, right-to-left and emoji text as typed, in a form and on the API', async () => {
    const kase = await asbFactories(db()).case({ owningOrganisationId: manager.user.organisationId })
    // ŵ and ŷ, combining accents (decomposed), Arabic, a flag and a family emoji (joined by U+200D, a format character).
    const text = 'Ymweliad â\'r tŷ ym Mhen-y-bont; Siân a Gwŵr. Cafe\u0301 Zoë, São, Łódź. مرحبا 🏴󠁧󠁢󠁷󠁬󠁳󠁿 👨\u200D👩\u200D👧'
    const response = await manager.submit(`/cases/${kase.id}/notes/new`, { body: text }, { formPage: `/cases/${kase.id}/notes/new` })
    expect(response.statusCode).toBe(302)
    expect(await db().selectFrom('case_notes').select('body').where('case_id', '=', kase.id).execute()).toEqual([{ body: text }])

    const name = 'Cyngor Sir Ynys Môn 🏴󠁧󠁢󠁷󠁬󠁳󠁿'
    const created = await admin.json('POST', '/api/v1/organisations', { name, type: 'council' })
    expect(created.statusCode).toBe(201)
    expect(await db().selectFrom('organisations').select('name').where('name', '=', name).execute()).toEqual([{ name }])
  })

  it('checks the fields of an upload too, which its route reads after the first check', async () => {
    const kase = await asbFactories(db()).case({ owningOrganisationId: manager.user.organisationId })
    const upload = multipart({ category: 'photograph', title: 'Bins\u0000 photo' }, { name: 'bins.jpg', data: samples.jpeg() })
    const response = await t.app.inject({ method: 'POST', url: `/api/v1/cases/${kase.id}/documents`, payload: upload.payload, headers: { ...upload.headers, authorization: `Bearer ${token}` } })
    expect(response.statusCode).toBe(400)
    expect(response.json().message).toBe(`body.title ${CONTROL_CHARACTER_MESSAGE}`)
    expect(await db().selectFrom('case_documents').select('id').where('case_id', '=', kase.id).execute()).toEqual([])
  })
})
