import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from './helpers/app.js'

describe('the test harness', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp()
  })
  afterAll(() => t.close())

  it('signs an admin in through the form and reaches an admin page', async () => {
    const admin = await t.signInAs(['admin'])
    const page = await admin.get('/admin/users')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Users')
  })
})
