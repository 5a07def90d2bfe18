import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type BrowserHarness,
  checkAccessibility,
  expectNoBrowserErrors,
  fillSignIn,
  navigationLinks,
  pathOf,
  signIn,
  signOut,
  skipBrowserTests,
  skipReason,
  startBrowserHarness,
  waitForPath,
} from './harness.js'

const STEP_TIMEOUT = 60_000
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
const ADMIN_LINKS = ['Organisations', 'Users', 'API tokens', 'Sharing agreements', 'Audit log', 'Outbox']
const GOVERNANCE_LINKS = ['Boards', 'Meetings']
const CASE_LINKS = ['Search', 'Cases', 'Incidents', 'People', 'Tasks']

/** Follows a link in the service navigation. */
async function follow(page: Page, linkText: string, path: string) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: linkText, exact: true }).click()
  await waitForPath(page, path)
}

/** The text of every row of the first table on the page, cells joined by " | ". */
async function tableRows(page: Page): Promise<string[]> {
  const rows = page.locator('table tbody tr')
  const count = await rows.count()
  const texts: string[] = []
  for (let index = 0; index < count; index++) texts.push((await rows.nth(index).locator('th, td').allInnerTexts()).map((cell) => cell.replace(/\s+/g, ' ').trim()).join(' | '))
  return texts
}

describe.skipIf(skipBrowserTests)(`the foundation in a browser${skipBrowserTests ? ` (${skipReason})` : ''}`, () => {
  let h: BrowserHarness
  beforeAll(async () => {
    h = await startBrowserHarness()
  }, 120_000)
  afterAll(async () => {
    if (h?.minorViolations.length) console.info(`Minor or moderate accessibility findings (not failed):\n  ${h.minorViolations.join('\n  ')}`)
    await h?.close()
  })

  it('shows the GOV.UK error summary for a wrong password, with a link that targets the email field', async () => {
    const page = await h.newPage()
    const response = await page.goto('/sign-in')
    expect(response?.status()).toBe(200)
    expect(await page.title()).toBe('Sign in – Safer Communities')
    await checkAccessibility(page)

    await fillSignIn(page, h.credentialFor('admin').email, 'not the right password')
    const summary = page.locator('.govuk-error-summary')
    await summary.waitFor()
    expect(await page.title()).toBe('Error: Sign in – Safer Communities')
    expect(await summary.getByRole('heading', { level: 2 }).innerText()).toBe('There is a problem')

    // GOV.UK Frontend moves focus to the summary when the page loads, so screen reader users hear it first.
    await page.waitForFunction(() => document.activeElement?.classList.contains('govuk-error-summary'))

    const link = summary.getByRole('link', { name: 'Enter a correct email address and password' })
    expect(await link.getAttribute('href')).toBe('#email')
    const email = page.getByLabel('Email address', { exact: true })
    expect(await email.inputValue()).toBe(h.credentialFor('admin').email)
    expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('')
    expect(await page.locator('#email-error').innerText()).toContain('Enter a correct email address and password')
    expect((await email.getAttribute('aria-describedby'))?.split(' ')).toContain('email-error')
    await checkAccessibility(page)

    await link.click()
    await page.waitForFunction(() => document.activeElement?.id === 'email')
    expectNoBrowserErrors(page)
  }, STEP_TIMEOUT)

  // The issue's scenario, one step per test: each step carries on in the same browser tab from the one before.
  describe('an administrator adds a user who then sees only what their role allows', () => {
    let page: Page
    const organisation = { name: 'Melton Mowbray Community Trust', type: 'Voluntary or community sector' }
    const newUser = { name: 'Robin Reader', email: 'robin.reader@mowbray-trust.example.org' }
    const newPassword = 'marble otter lantern'
    let temporaryPassword = ''

    it('signs in as the demo admin, whose home page lists the admin tasks', async () => {
      page = await h.newPage()
      await signIn(page, h.credentialFor('admin').email, h.credentialFor('admin').password)
      expect(pathOf(page)).toBe('/')
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Welcome, Alex Admin')
      expect(await page.getByRole('main').getByRole('heading', { level: 3 }).allInnerTexts()).toEqual(['Boards and meetings', 'Actions', 'Overdue actions', 'Crime and ASB performance', 'Import police.uk data', 'Information sharing agreements', 'Manage users', 'Manage organisations', 'API tokens', 'Audit log', 'Check the audit log', 'Outbox', 'Change your password'])
      expect(await page.getByRole('link', { name: 'Manage users' }).getAttribute('href')).toBe('/admin/users')
      expect(await navigationLinks(page)).toEqual(['Home', ...GOVERNANCE_LINKS, 'Actions', 'Performance', ...ADMIN_LINKS])
      expect(await page.locator('.app-signed-in-as').innerText()).toBe('Alex Admin, Leicestershire County Council')
      await checkAccessibility(page)

      // GOV.UK Frontend's styles, fonts and scripts all loaded under the Content Security Policy.
      expect(await page.evaluate(() => document.body.classList.contains('govuk-frontend-supported'))).toBe(true)
      const fonts = await page.evaluate(async () => {
        await document.fonts.ready
        return [...document.fonts].filter((font) => font.status === 'loaded').map((font) => font.family.replace(/"/g, ''))
      })
      expect(fonts).toContain('GDS Transport')
      expect(await page.getByRole('heading', { level: 1 }).evaluate((heading) => getComputedStyle(heading).fontFamily)).toMatch(/^"?GDS Transport/)
      await page.screenshot({ path: '/tmp/home.png', fullPage: true })
      expectNoBrowserErrors(page)
    }, STEP_TIMEOUT)

    it('adds a new organisation', async () => {
      await follow(page, 'Organisations', '/admin/organisations')
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Organisations')
      expect(await page.getByRole('link', { name: 'Leicestershire Police', exact: true }).count()).toBe(1)
      await checkAccessibility(page)

      await page.getByRole('button', { name: 'Add an organisation' }).click()
      await waitForPath(page, '/admin/organisations/new')
      await checkAccessibility(page)

      // Saving the empty form shows the errors, each linked to its field.
      await page.getByRole('button', { name: 'Save organisation' }).click()
      const summary = page.locator('.govuk-error-summary')
      await summary.waitFor()
      expect(await summary.getByRole('link').evaluateAll((links) => links.map((link) => link.getAttribute('href')))).toEqual(['#name', '#type'])
      await checkAccessibility(page)

      await page.getByLabel('Name', { exact: true }).fill(organisation.name)
      await page.getByRole('radio', { name: organisation.type }).check()
      await page.getByRole('button', { name: 'Save organisation' }).click()
      await waitForPath(page, (pathname) => new RegExp(`^/admin/organisations/${UUID}$`).test(pathname))
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(organisation.name)
      expect(await page.getByRole('alert').filter({ hasText: 'Success' }).innerText()).toContain('Organisation added.')
      expect(await page.getByText('No users yet.').count()).toBe(1)
      await checkAccessibility(page)
      expectNoBrowserErrors(page)
    }, STEP_TIMEOUT)

    it('adds a case viewer in that organisation and reads the temporary password', async () => {
      await follow(page, 'Users', '/admin/users')
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Users')
      expect((await tableRows(page)).some((row) => row.startsWith('Alex Admin | admin@demo.example.org'))).toBe(true)
      await checkAccessibility(page)

      await page.getByRole('button', { name: 'Add a user' }).click()
      await waitForPath(page, '/admin/users/new')
      await checkAccessibility(page)

      await page.getByLabel('Full name', { exact: true }).fill(newUser.name)
      await page.getByLabel('Email address', { exact: true }).fill(newUser.email)
      await page.getByLabel('Organisation', { exact: true }).selectOption({ label: organisation.name })
      await page.getByRole('checkbox', { name: 'Case viewer' }).check()
      await page.getByRole('button', { name: 'Save user' }).click()

      const password = page.locator('#temporary-password')
      await password.waitFor()
      expect(await page.title()).toBe('User added – Safer Communities')
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('User added')
      expect(await page.locator('.govuk-panel__body').innerText()).toBe(`${newUser.name}\n${newUser.email}`)
      temporaryPassword = (await password.innerText()).trim()
      expect(temporaryPassword.length).toBeGreaterThanOrEqual(12)
      await checkAccessibility(page)

      await page.getByRole('link', { name: `Go to ${newUser.name}'s account` }).click()
      await waitForPath(page, (pathname) => new RegExp(`^/admin/users/${UUID}$`).test(pathname))
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(newUser.name)
      const summaryList = await page.locator('.govuk-summary-list').innerText()
      expect(summaryList).toContain(organisation.name)
      expect(summaryList).toContain('Case viewer')
      expect(summaryList).toContain('must change temporary password')
      await checkAccessibility(page)
      expectNoBrowserErrors(page)
    }, STEP_TIMEOUT)

    it('signs out', async () => {
      await signOut(page)
      expect(await page.getByRole('region', { name: 'Important' }).innerText()).toContain('You have signed out.')
      expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0)
      await checkAccessibility(page)

      // Signed out means signed out: an admin page sends the browser to sign in, and back after.
      await page.goto('/admin/users')
      await waitForPath(page, '/sign-in')
      expect(new URL(page.url()).searchParams.get('returnTo')).toBe('/admin/users')
    }, STEP_TIMEOUT)

    it('the new user signs in with the temporary password and must change it first', async () => {
      expect(temporaryPassword, 'the previous step reads the temporary password').not.toBe('')
      await signIn(page, newUser.email, temporaryPassword)
      expect(pathOf(page)).toBe('/account/password')
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Change your password')
      expect(await page.locator('.govuk-inset-text').innerText()).toContain('You signed in with a temporary password')
      await checkAccessibility(page)

      // Nothing else opens until the password is changed.
      await page.goto('/')
      await waitForPath(page, '/account/password')

      await page.getByLabel('Temporary password', { exact: true }).fill(temporaryPassword)
      await page.getByLabel('New password', { exact: true }).fill(newPassword)
      await page.getByLabel('Confirm new password', { exact: true }).fill(newPassword)
      await page.getByRole('button', { name: 'Change password' }).click()
      await waitForPath(page, '/?passwordChanged=1')
      expect(await page.getByRole('alert').filter({ hasText: 'Success' }).innerText()).toContain('Your password has been changed.')
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(`Welcome, ${newUser.name}`)
      expect(await page.locator('.app-signed-in-as').innerText()).toBe(`${newUser.name}, ${organisation.name}`)
      await checkAccessibility(page)
      expectNoBrowserErrors(page)
    }, STEP_TIMEOUT)

    it('the new user sees only what a case viewer may, and gets the 403 page for admin pages', async () => {
      expect(await navigationLinks(page)).toEqual(['Home', ...CASE_LINKS, 'Actions'])
      for (const link of ADMIN_LINKS) expect(await page.getByRole('link', { name: link, exact: true }).count(), `a "${link}" link`).toBe(0)
      expect(await page.getByRole('main').getByRole('heading', { level: 3 }).allInnerTexts()).toEqual(['My cases', 'My tasks', 'Incidents', 'Find a person', 'Actions', 'Change your password'])
      expect(await page.locator('dl dt').allInnerTexts()).toEqual(['Case viewer'])

      for (const path of ['/admin/users', '/admin/organisations', '/audit']) {
        const response = await page.goto(path)
        expect(response?.status(), path).toBe(403)
        expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('You do not have permission to see this page')
        expect(await page.getByText('If you think you need access, ask your system administrator.').count()).toBe(1)
        expect(await page.getByRole('link', { name: 'Go to the home page' }).getAttribute('href')).toBe('/')
        await checkAccessibility(page)
      }

      // The new password works from now on; the temporary one does not.
      await signOut(page)
      await fillSignIn(page, newUser.email, temporaryPassword)
      await page.locator('.govuk-error-summary').waitFor()
      await signIn(page, newUser.email, newPassword)
      expect(pathOf(page)).toBe('/')
      expectNoBrowserErrors(page)
    }, STEP_TIMEOUT)

    it('the audit log, read by the admin, shows the sign-ins', async () => {
      const admin = await h.newPage()
      await signIn(admin, h.credentialFor('admin').email, h.credentialFor('admin').password)
      await follow(admin, 'Audit log', '/audit')
      expect(await admin.getByRole('heading', { level: 1 }).innerText()).toBe('Audit log')
      const rows = await tableRows(admin)
      const has = (who: string, action: string) => rows.some((row) => row.includes(who) && row.includes(` | ${action} | `))
      expect(has('Alex Admin', 'Signed in')).toBe(true)
      expect(has('Alex Admin', 'Failed sign-in')).toBe(true)
      expect(has('Alex Admin', 'Created organisation')).toBe(true)
      expect(has('Alex Admin', 'Created user')).toBe(true)
      expect(has('Alex Admin', 'Signed out')).toBe(true)
      expect(has(newUser.name, 'Signed in')).toBe(true)
      expect(has(newUser.name, 'Changed own password')).toBe(true)
      await checkAccessibility(admin)

      // Filtered to the new user's sign-ins: one with the temporary password and one with the new password.
      await admin.getByLabel('User', { exact: true }).selectOption({ label: `${newUser.name} (${organisation.name})` })
      await admin.getByLabel('Action', { exact: true }).selectOption({ label: 'Signed in' })
      await admin.getByRole('button', { name: 'Filter' }).click()
      await waitForPath(admin, (pathname, url) => pathname === '/audit' && url.searchParams.get('action') === 'sign_in')
      const filtered = await tableRows(admin)
      expect(filtered).toHaveLength(2)
      for (const row of filtered) expect(row).toMatch(new RegExp(`${newUser.name} ${organisation.name} \\| Signed in \\| user ${UUID} \\| 127\\.0\\.0\\.1`))
      expect(await admin.locator('table caption').innerText()).toBe('2 entries')
      await checkAccessibility(admin)

      // The check of the audit log's hash chain, from the home page.
      await admin.goto('/')
      await admin.getByRole('main').getByRole('link', { name: 'Check the audit log', exact: true }).click()
      await waitForPath(admin, '/admin/audit-check')
      expect(await admin.getByRole('heading', { level: 3 }).first().innerText()).toBe('The audit log is intact')
      await checkAccessibility(admin)
      expectNoBrowserErrors(admin)
    }, STEP_TIMEOUT)
  })

  it('the API documentation and the page-not-found page are accessible', async () => {
    const page = await h.newPage()
    const docs = await page.goto('/api-docs')
    expect(docs?.status()).toBe(200)
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Safer Communities API')
    expect(await page.getByRole('heading', { name: 'GET /api/v1/users', exact: true }).count()).toBe(1)
    await checkAccessibility(page)

    const missing = await page.goto('/no-such-page')
    expect(missing?.status()).toBe(404)
    expect(await page.title()).toBe('Page not found – Safer Communities')
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Page not found')
    await checkAccessibility(page)
    expectNoBrowserErrors(page)
  }, STEP_TIMEOUT)

  it('works without JavaScript: signs in, loads the home page and signs out', async () => {
    const page = await h.newPage({ javaScriptEnabled: false })
    const analyst = h.credentialFor('analyst')
    await page.goto('/sign-in')
    // Without JavaScript the password field has no "Show" button.
    expect(await page.getByRole('button', { name: 'Show password' }).count()).toBe(0)
    await checkAccessibility(page)
    await fillSignIn(page, analyst.email, analyst.password)
    await waitForPath(page, '/')
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Welcome, Ana Lyst')
    // The page's own scripts did not run: GOV.UK Frontend's inline script would have marked the body.
    expect(await page.locator('body').getAttribute('class')).not.toContain('js-enabled')
    expect(await navigationLinks(page)).toEqual(['Home', 'Actions', 'Performance'])
    await checkAccessibility(page)

    await signOut(page)
    expect(await page.getByRole('region', { name: 'Important' }).innerText()).toContain('You have signed out.')
    expectNoBrowserErrors(page)
  }, STEP_TIMEOUT)
})
