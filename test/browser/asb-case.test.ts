import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { factories } from '../helpers/factories.js'
import {
  type BrowserHarness,
  checkAccessibility,
  expectNoBrowserErrors,
  signIn,
  skipBrowserTests,
  skipReason,
  startBrowserHarness,
  waitForPath,
} from './harness.js'

/**
 * Issue 4's scenario, end to end in a browser: a council officer runs an ASB case from first report to closure,
 * working with a police officer (a task) and a housing provider (a share), through the real pages only.
 * Every page the scenario visits is checked with axe (WCAG 2.2 AA).
 */

const STEP_TIMEOUT = 60_000
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
const CASE_PATH = new RegExp(`^/cases/(${UUID})$`)

/** A date some days from today (UTC), as the three boxes of a GOV.UK date input. */
function dateParts(daysFromToday: number) {
  const date = new Date(Date.now() + daysFromToday * 86_400_000)
  return { day: String(date.getUTCDate()), month: String(date.getUTCMonth() + 1), year: String(date.getUTCFullYear()) }
}

/** Fills in a GOV.UK date input, found by its fieldset legend. */
async function fillDate(page: Page, legend: string, parts: { day: string; month: string; year: string }) {
  const group = page.getByRole('group', { name: legend })
  await group.getByLabel('Day', { exact: true }).fill(parts.day)
  await group.getByLabel('Month', { exact: true }).fill(parts.month)
  await group.getByLabel('Year', { exact: true }).fill(parts.year)
}

/** Selects the option of a <select> whose text contains the given text (the option text carries extra detail). */
async function selectOptionContaining(select: Locator, text: string) {
  const value = await select.locator('option', { hasText: text }).first().getAttribute('value')
  expect(value, `an option containing "${text}"`).toBeTruthy()
  await select.selectOption(value!)
}

/** The text of the success notification banner. */
async function successBanner(page: Page) {
  return page.getByRole('alert').filter({ hasText: 'Success' }).innerText()
}

const heading = (page: Page) => page.getByRole('heading', { level: 1 }).innerText()

describe.skipIf(skipBrowserTests)(`an ASB case from first report to closure, in a browser${skipBrowserTests ? ` (${skipReason})` : ''}`, () => {
  let h: BrowserHarness
  const council = { organisation: 'Wreake Valley District Council', officer: 'Morgan Ashdown', email: 'morgan.ashdown@wreake.test.example.org' }
  const police = { organisation: 'Soar Valley Constabulary', officer: 'PC Riley Thornbury', email: 'riley.thornbury@soar-police.test.example.org' }
  const housing = { organisation: 'Quorn Homes (housing provider)', officer: 'Jess Fairbrother', email: 'jess.fairbrother@quorn-homes.test.example.org' }
  let password = ''

  const caseTitle = 'Harassment of a resident, Sileby Road'
  const victim = { givenNames: 'Philippa', familyName: 'Quennell' }
  const perpetrator = { givenNames: 'Ashton', familyName: 'Brierley', dateOfBirth: { day: '14', month: '6', year: '2001' } }
  const taskTitle = 'Check police records for Ashton Brierley'
  const ordinaryNote = 'Visited the victim at home. She is keeping a diary of incidents.'
  const restrictedNote = 'Council legal team advise a civil injunction may follow. Not for partners yet.'

  let councilPage: Page
  let caseId = ''
  let caseReference = ''
  let incidentReference = ''

  beforeAll(async () => {
    h = await startBrowserHarness()
    // Arranged directly: three partner organisations, each with one officer who manages cases.
    const make = factories(h.testDb.database.db)
    const organisations = await Promise.all([
      make.organisation({ name: council.organisation, type: 'council' }),
      make.organisation({ name: police.organisation, type: 'police' }),
      make.organisation({ name: housing.organisation, type: 'housing_provider' }),
    ])
    const users = await Promise.all(
      [council, police, housing].map((who, index) => make.user({ roles: ['case_manager'], organisationId: organisations[index]!.id, name: who.officer, email: who.email })),
    )
    password = users[0]!.password
  }, 120_000)

  afterAll(async () => {
    if (h?.minorViolations.length) console.info(`Minor or moderate accessibility findings (not failed):\n  ${h.minorViolations.join('\n  ')}`)
    await h?.close()
  })

  /** A new browser context and tab; a step that cannot find what it expects fails in seconds, not half a minute. */
  const newPage = async () => {
    const page = await h.newPage()
    page.setDefaultTimeout(15_000)
    return page
  }

  /** The case page's path (the case's id is known once the case is opened). */
  const casePath = () => `/cases/${caseId}`

  it('the council officer signs in and records an incident', async () => {
    councilPage = await newPage()
    const page = councilPage
    await signIn(page, council.email, password)
    expect(await page.locator('.app-signed-in-as').innerText()).toBe(`${council.officer}, ${council.organisation}`)
    await checkAccessibility(page)

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Incidents', exact: true }).click()
    await waitForPath(page, '/incidents')
    await checkAccessibility(page)

    await page.getByRole('button', { name: 'Record an incident' }).click()
    await waitForPath(page, '/incidents/new')
    expect(await heading(page)).toBe('Record an incident')
    await checkAccessibility(page)

    await fillDate(page, 'When did it happen?', dateParts(-2))
    await page.getByLabel('Time it happened', { exact: true }).fill('21:30')
    await page.getByRole('radio', { name: 'Phone', exact: true }).check()
    await selectOptionContaining(page.getByLabel('Type of incident'), 'Harassment or intimidation of a person')
    await page.getByRole('group', { name: /motivated by hate/ }).getByRole('radio', { name: 'No', exact: true }).check()
    await page.getByLabel('What happened?').fill('A neighbour shouted threats at the resident and kicked her door late at night.')
    await page.getByLabel('Address', { exact: true }).fill('12 Sileby Road, Barrow upon Soar')
    await page.getByLabel('Postcode (optional)').fill('LE12 8LP')
    await page.getByRole('button', { name: 'Record incident' }).click()
    await waitForPath(page, (pathname) => new RegExp(`^/incidents/${UUID}$`).test(pathname))

    incidentReference = (await heading(page)).trim()
    expect(await successBanner(page)).toContain(`Incident ${incidentReference} recorded.`)
    expect(await page.locator('.govuk-summary-list').innerText()).toContain('Not on a case')
    await checkAccessibility(page)
    expectNoBrowserErrors(page)
  }, STEP_TIMEOUT)

  it('opens a case and links the incident to it', async () => {
    const page = councilPage
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cases', exact: true }).click()
    await waitForPath(page, '/cases')
    await checkAccessibility(page)

    await page.getByRole('button', { name: 'Open a case' }).click()
    await waitForPath(page, '/cases/new')
    await checkAccessibility(page)

    await page.getByLabel('Title', { exact: true }).fill(caseTitle)
    await page.getByRole('radio', { name: 'Victim-centred' }).check()
    await page.getByRole('radio', { name: 'High', exact: true }).check()
    // The lead officer is the signed-in officer unless changed.
    expect(await page.getByLabel('Lead officer').locator('option:checked').innerText()).toContain(council.officer)
    await page.getByLabel('Summary (optional)').fill('Repeated harassment of a resident by a neighbour.')
    await page.getByRole('button', { name: 'Open case' }).click()
    await waitForPath(page, (pathname) => CASE_PATH.test(pathname))
    caseId = CASE_PATH.exec(new URL(page.url()).pathname)![1]!
    caseReference = (await page.locator('.govuk-caption-l').first().innerText()).trim()
    expect(caseReference).toMatch(/^ASB-/)
    expect(await heading(page)).toBe(caseTitle)
    expect(await successBanner(page)).toContain('Case opened.')
    await checkAccessibility(page)

    // The officer goes back to the incident and adds it to the case by its reference.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Incidents', exact: true }).click()
    await waitForPath(page, '/incidents')
    await page.getByRole('link', { name: incidentReference, exact: true }).click()
    await waitForPath(page, (pathname) => new RegExp(`^/incidents/${UUID}$`).test(pathname))
    await page.getByLabel('Case reference').fill(caseReference)
    await page.getByRole('button', { name: 'Add to case' }).click()
    await waitForPath(page, casePath())
    expect(await successBanner(page)).toContain('Incident linked to the case.')
    expect(await page.locator('#incidents').getByRole('link', { name: incidentReference, exact: true }).count()).toBe(1)
    expectNoBrowserErrors(page)
  }, STEP_TIMEOUT)

  /** The case page's "Add a person" journey, for someone not recorded yet. */
  async function addNewPerson(page: Page, role: 'Victim' | 'Perpetrator', person: { givenNames: string; familyName: string; dateOfBirth?: { day: string; month: string; year: string } }, check: boolean) {
    await page.getByRole('button', { name: 'Add a person' }).click()
    await waitForPath(page, `/cases/${caseId}/people/new`)
    if (check) await checkAccessibility(page)
    await page.getByRole('link', { name: 'Add someone new' }).click()
    await waitForPath(page, `/cases/${caseId}/people/new?new=1`)
    expect(await heading(page)).toBe('Add someone new to the case')
    if (check) await checkAccessibility(page)

    await page.getByRole('group', { name: 'Their role in the case' }).getByRole('radio', { name: role, exact: true }).check()
    await page.getByLabel('Given names', { exact: true }).fill(person.givenNames)
    await page.getByLabel('Family name', { exact: true }).fill(person.familyName)
    if (person.dateOfBirth) await fillDate(page, 'Date of birth (optional)', person.dateOfBirth)
    await page.getByRole('button', { name: 'Add to case' }).click()
    await waitForPath(page, casePath())
    const row = page.locator('#case-people tbody tr', { hasText: `${person.givenNames} ${person.familyName}` })
    expect(await row.locator('td').nth(1).innerText()).toBe(role)
  }

  it('adds a victim, assesses her risk as high, and the case shows high risk', async () => {
    const page = councilPage
    await addNewPerson(page, 'Victim', victim, true)
    expect(await successBanner(page)).toContain('Person added to the case.')
    // The case page is checked with axe when opened, when full (after the notes), when closed, and as a partner sees it.

    const victimName = `${victim.givenNames} ${victim.familyName}`
    await page.getByRole('link', { name: `Assess risk to ${victimName}` }).click()
    await waitForPath(page, (pathname, url) => pathname === `/cases/${caseId}/risk-assessments/new` && url.searchParams.has('personId'))
    expect(await heading(page)).toBe(`Victim risk assessment: ${victimName}`)
    await checkAccessibility(page)

    // Yes to every weighted question; no to the self-harm question (which alone would make it high).
    const questions = page.locator('form fieldset')
    const count = await questions.count()
    expect(count).toBeGreaterThan(5)
    for (let index = 0; index < count; index++) {
      const question = questions.nth(index)
      const selfHarm = /harming themselves/.test(await question.locator('legend').innerText())
      await question.getByRole('radio', { name: selfHarm ? 'No' : 'Yes', exact: true }).check()
    }
    await page.getByLabel('Notes (optional)').fill('Victim is frightened and has stopped going out after dark.')
    await page.getByRole('button', { name: 'Save risk assessment' }).click()
    await waitForPath(page, (pathname) => new RegExp(`^/cases/${caseId}/risk-assessments/${UUID}$`).test(pathname))
    expect(await page.locator('.govuk-summary-list').first().innerText()).toContain('High risk')
    expect(await page.locator('.govuk-warning-text').innerText()).toContain('High risk: arrange a multi-agency case conference.')
    await checkAccessibility(page)

    await page.getByRole('link', { name: 'Back to case' }).click()
    await waitForPath(page, casePath())
    expect(await page.locator('.govuk-warning-text').first().innerText()).toContain('High-risk victim')
    expect((await page.locator('h1 + p .govuk-tag').allInnerTexts()).map((text) => text.toLowerCase())).toContain('high risk')
    const riskPanel = await page.locator('#risk').innerText()
    expect(riskPanel).toMatch(/High risk\s+Yes/)
    // The high result gives the lead officer a task.
    expect(await page.locator('#tasks ~ table').first().locator('tbody tr').count()).toBeGreaterThanOrEqual(1)
    expectNoBrowserErrors(page)
  }, STEP_TIMEOUT)

  it('adds a perpetrator aged over 16 and issues a Community Protection Warning, then a Notice', async () => {
    const page = councilPage
    await addNewPerson(page, 'Perpetrator', perpetrator, false)
    const perpetratorName = `${perpetrator.givenNames} ${perpetrator.familyName}`
    expect(await page.locator('#case-people tbody tr', { hasText: perpetratorName }).locator('td').nth(2).innerText()).toBe('14 June 2001')

    for (const [type, prohibitions] of [
      ['Community Protection Warning', 'Must not shout at, threaten or approach the residents of 12 Sileby Road.'],
      ['Community Protection Notice', 'Must not enter Sileby Road between 8pm and 7am, or contact the residents of number 12.'],
    ] as const) {
      await page.locator('#interventions').getByRole('link', { name: 'Record an intervention' }).click()
      await waitForPath(page, `/cases/${caseId}/interventions/new`)
      if (type === 'Community Protection Warning') await checkAccessibility(page)
      await page.getByRole('radio', { name: type, exact: true }).check()
      await page.getByRole('button', { name: 'Continue' }).click()
      await waitForPath(page, (pathname, url) => pathname === `/cases/${caseId}/interventions/new` && url.searchParams.has('type'))
      expect(await heading(page)).toBe(`Record a ${type}`)
      await checkAccessibility(page)

      await selectOptionContaining(page.getByLabel('Person', { exact: true }), perpetratorName)
      // The issue date is today, filled in already.
      expect(await page.getByRole('group', { name: 'Date issued' }).getByLabel('Year', { exact: true }).inputValue()).toMatch(/^\d{4}$/)
      await page.getByLabel('Prohibitions (optional)').fill(prohibitions)
      await page.getByRole('button', { name: 'Save intervention' }).click()
      await waitForPath(page, casePath())
      const interventions = page.locator('#interventions')
      expect(await interventions.locator('tbody tr', { hasText: type }).count(), `a ${type} row`).toBe(1)
    }
    const ladder = await page.locator('#interventions').getByRole('list', { name: `Escalation ladder for ${perpetratorName}` }).innerText()
    expect(ladder).toMatch(/Formal action\s+Current stage/i)
    expectNoBrowserErrors(page)
  }, STEP_TIMEOUT)

  it('assigns a task to a police officer, shares the case with a housing provider and adds notes', async () => {
    const page = councilPage
    await page.getByRole('link', { name: 'Assign a task' }).click()
    await waitForPath(page, `/cases/${caseId}/tasks/new`)
    await checkAccessibility(page)
    await page.getByLabel('What needs doing').fill(taskTitle)
    await page.getByLabel('Details (optional)').fill('Any previous reports or warnings, for the case conference.')
    await page.getByLabel('Officer', { exact: true }).selectOption({ label: `${police.officer} (${police.organisation})` })
    await fillDate(page, 'Due date', dateParts(7))
    await page.getByRole('button', { name: 'Assign task' }).click()
    await waitForPath(page, casePath())
    expect(await successBanner(page)).toContain('Task assigned.')
    expect(await page.locator('#tasks ~ table tbody tr', { hasText: taskTitle }).innerText()).toContain(`${police.officer} (${police.organisation})`)

    await page.getByRole('link', { name: 'Share with another organisation' }).click()
    await waitForPath(page, `/cases/${caseId}/share`)
    await checkAccessibility(page)
    await page.getByLabel('Organisation', { exact: true }).selectOption({ label: housing.organisation })
    // The rights are the owner's choice: without one, a GOV.UK error on the radios.
    await page.getByLabel('Reason for sharing').fill('The victim and the perpetrator are both tenants of Quorn Homes.')
    await page.getByRole('button', { name: 'Share case' }).click()
    expect(await page.locator('.govuk-error-summary').innerText()).toContain('Select what the organisation may do on the case')
    await checkAccessibility(page)
    await page.getByLabel('Read only').check()
    await page.getByRole('button', { name: 'Share case' }).click()
    await waitForPath(page, casePath())
    expect(await successBanner(page)).toContain('Case shared.')
    const sharing = await page.locator('#sharing + ul').innerText()
    expect(sharing).toContain(housing.organisation)
    expect(sharing).toContain('Read only')

    for (const [body, restricted] of [
      [ordinaryNote, false],
      [restrictedNote, true],
    ] as const) {
      await page.getByRole('link', { name: 'Add a note' }).click()
      await waitForPath(page, `/cases/${caseId}/notes/new`)
      if (!restricted) await checkAccessibility(page)
      await page.getByLabel('Note', { exact: true }).fill(body)
      if (restricted) await page.getByRole('checkbox', { name: `Restrict this note to ${council.organisation}` }).check()
      await page.getByRole('button', { name: 'Save note' }).click()
      await waitForPath(page, casePath())
      expect(await successBanner(page)).toContain('Note added.')
    }
    // A diary sheet, after the GOV.UK error for a form sent without a file.
    await page.getByRole('link', { name: 'Add a document' }).click()
    await waitForPath(page, `/cases/${caseId}/documents/new`)
    await checkAccessibility(page)
    await page.getByRole('button', { name: 'Upload document' }).click()
    expect(await page.locator('.govuk-error-summary').innerText()).toContain('Select a file')
    await checkAccessibility(page)
    await page.getByLabel('Upload a file').setInputFiles({ name: 'diary-sheet-week-1.txt', mimeType: 'text/plain', buffer: Buffer.from('Mon 23:40 loud music and banging on the wall until 02:00.\n') })
    await page.getByLabel('Diary sheet').check()
    await page.getByRole('button', { name: 'Upload document' }).click()
    await waitForPath(page, casePath())
    expect(await successBanner(page)).toContain('Document added.')
    expect(await page.locator('#documents').innerText()).toContain('diary-sheet-week-1.txt')

    const restrictedEntry = page.locator('.app-note', { hasText: restrictedNote })
    expect(await restrictedEntry.locator('.govuk-tag').innerText()).toMatch(new RegExp(`Restricted to ${council.organisation}`, 'i'))
    expect(await page.locator('.app-note', { hasText: ordinaryNote }).locator('.govuk-tag').count()).toBe(0)
    await checkAccessibility(page)
    expectNoBrowserErrors(page)
  }, STEP_TIMEOUT)

  it('the police officer sees the task in their tasks and marks it done', async () => {
    const page = await newPage()
    await signIn(page, police.email, password)
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tasks', exact: true }).click()
    await waitForPath(page, '/tasks')
    const row = page.locator('table tbody tr', { hasText: taskTitle })
    expect(await row.getByRole('link', { name: caseReference }).count()).toBe(1)
    await checkAccessibility(page)

    // The button's name ends with the task's title, for screen reader users ("Mark as done: ...").
    await row.getByRole('button', { name: /^Mark as done/ }).click()
    await waitForPath(page, '/tasks?notice=done')
    expect(await successBanner(page)).toContain('Task completed.')
    expect(await page.getByText('You have no open tasks.').count()).toBe(1)
    expect(await page.locator('.govuk-list li', { hasText: taskTitle }).innerText()).toContain('done')
    await checkAccessibility(page)
    expectNoBrowserErrors(page)
  }, STEP_TIMEOUT)

  it('the housing provider officer opens the shared case and sees the ordinary note but not the restricted one', async () => {
    const page = await newPage()
    await signIn(page, housing.email, password)
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cases', exact: true }).click()
    await waitForPath(page, '/cases')
    await checkAccessibility(page)

    await page.getByRole('link', { name: caseReference, exact: true }).click()
    await waitForPath(page, casePath())
    expect(await heading(page)).toBe(caseTitle)
    expect(await page.locator('.govuk-summary-list').first().innerText()).toContain(council.organisation)
    expect(await page.locator('#case-people').innerText()).toContain(`${victim.givenNames} ${victim.familyName}`)
    expect(await page.getByText(ordinaryNote).count()).toBe(1)
    expect(await page.getByText(restrictedNote).count()).toBe(0)
    expect(await page.content()).not.toContain('Council legal team advise')
    // A read-only partner is offered no change to the case.
    expect(await page.getByRole('button', { name: 'Close case' }).count()).toBe(0)
    expect(await page.getByRole('link', { name: 'Add a note' }).count()).toBe(0)
    expect(await page.getByRole('button', { name: 'Add a person' }).count()).toBe(0)
    expect(await page.getByText('Your organisation’s rights on this case: read only').count()).toBe(1)
    expect(await page.locator('#documents').innerText()).toContain('diary-sheet-week-1.txt')
    await checkAccessibility(page)

    // One search: the full reference opens the shared case; the victim is found despite a typo in her family name.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Search', exact: true }).click()
    await waitForPath(page, '/search')
    await checkAccessibility(page)
    await page.getByLabel('Search cases, people, incidents and addresses').fill(caseReference)
    await page.getByRole('button', { name: 'Search', exact: true }).click()
    await waitForPath(page, casePath())
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Search', exact: true }).click()
    await waitForPath(page, '/search')
    const typo = `${victim.givenNames} ${victim.familyName.slice(0, 2)}${victim.familyName[3]}${victim.familyName[2]}${victim.familyName.slice(4)}`
    await page.getByLabel('Search cases, people, incidents and addresses').fill(typo)
    await page.getByRole('button', { name: 'Search', exact: true }).click()
    await waitForPath(page, '/search')
    expect(await page.locator('#people').innerText()).toContain(`${victim.givenNames} ${victim.familyName}`)
    await checkAccessibility(page)
    expectNoBrowserErrors(page)
  }, STEP_TIMEOUT)

  it('the council officer completes the remaining task and closes the case', async () => {
    const page = councilPage
    await page.reload()
    await waitForPath(page, casePath())
    const taskRows = page.locator('#tasks ~ table').first().locator('tbody tr')
    expect(await taskRows.filter({ hasText: taskTitle }).locator('td').nth(3).innerText()).toMatch(/^done$/i)

    // The high-risk assessment gave the lead officer a task: complete it (and any other still open) from the case page.
    const markDone = page.locator('#tasks ~ table').first().getByRole('button', { name: /^Mark as done/ })
    expect(await markDone.count()).toBeGreaterThanOrEqual(1)
    while ((await markDone.count()) > 0) {
      await markDone.first().click()
      await waitForPath(page, (pathname, url) => pathname === casePath() && url.searchParams.get('notice') === 'task-done')
      expect(await successBanner(page)).toContain('Task completed.')
    }
    for (const status of await taskRows.locator('td:nth-child(4)').allInnerTexts()) expect(status).toMatch(/^(done|cancelled)$/i)

    await page.getByRole('button', { name: 'Close case' }).click()
    await waitForPath(page, `/cases/${caseId}/close`)
    expect(await heading(page)).toBe('Close the case')
    await checkAccessibility(page)
    await page.getByRole('radio', { name: 'Resolved: the behaviour has stopped' }).check()
    await page.getByLabel('Why the case can be closed').fill('No incidents since the Community Protection Notice was served. The victim feels safe at home.')
    await page.getByRole('radio', { name: 'Satisfied', exact: true }).check()
    await page.getByRole('button', { name: 'Close case' }).click()
    await waitForPath(page, (pathname, url) => pathname === casePath() && url.searchParams.get('notice') === 'closed')

    expect(await successBanner(page)).toContain('Case closed.')
    expect(await page.locator('h1 + p .govuk-tag').first().innerText()).toMatch(/^closed$/i)
    const closure = page.getByRole('heading', { name: 'Closure', level: 2 }).locator('xpath=following-sibling::dl[1]')
    const closureText = await closure.innerText()
    expect(closureText).toContain('Resolved: the behaviour has stopped')
    expect(closureText).toContain('No incidents since the Community Protection Notice was served.')
    expect(closureText).toMatch(/Victim satisfaction\s+Satisfied/)
    // A closed case offers no changes, only reopening.
    expect(await page.getByRole('button', { name: 'Reopen case' }).count()).toBe(1)
    expect(await page.getByRole('link', { name: 'Add a note' }).count()).toBe(0)
    await checkAccessibility(page)
    expectNoBrowserErrors(page)
  }, STEP_TIMEOUT)
})
