import { buffer } from 'node:stream/consumers'
import mammoth from 'mammoth'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { todayInLondon } from '../../src/platform/dates.js'
import { type BrowserHarness, checkAccessibility, expectNoBrowserErrors, signIn, skipBrowserTests, skipReason, startBrowserHarness, waitForPath } from './harness.js'

/**
 * Issue 5's scenario, end to end in a browser, on the demonstration data (Charnwood Community Safety Partnership, whose
 * clerk is the demo partnership coordinator): the clerk schedules a meeting from the forward programme, records
 * attendance and apologies, minutes two items with resolutions and actions, takes one item by agenda variance, downloads
 * the minutes as DOCX; at the next meeting the action log carries the actions forward, and an owner marks one complete.
 * Every page the scenario visits is checked with axe (WCAG 2.2 AA).
 */

const STEP_TIMEOUT = 60_000
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
const BODY = 'Charnwood Community Safety Partnership'
const PROGRAMMED_ITEM = 'Serious violence duty: refresh of the strategic needs assessment'
const OWNER = 'Bo Member'

const firstAction = 'Circulate the draft needs assessment to partners for comment'
const secondAction = 'Bring the retail crime figures for Loughborough to the next meeting'

describe.skipIf(skipBrowserTests)(`a partnership meeting from the forward programme to the next action log, in a browser${skipBrowserTests ? ` (${skipReason})` : ''}`, () => {
  let h: BrowserHarness
  let clerk: Page
  let meetingId = ''
  const today = todayInLondon()

  beforeAll(async () => {
    h = await startBrowserHarness()
  }, 120_000)

  afterAll(async () => {
    if (h?.minorViolations.length) console.info(`Minor or moderate accessibility findings (not failed):\n  ${h.minorViolations.join('\n  ')}`)
    await h?.close()
  })

  const newPage = async () => {
    const page = await h.newPage()
    page.setDefaultTimeout(15_000)
    return page
  }

  /** Follows a link by its text and checks the page it leads to. */
  async function follow(page: Page, name: string | RegExp) {
    await page.getByRole('link', { name, exact: typeof name === 'string' }).first().click()
    await page.waitForLoadState('load')
    await checkAccessibility(page)
  }

  const heading = (page: Page) => page.getByRole('heading', { level: 1 }).innerText()

  it('the clerk schedules a meeting from the forward programme, with the item to be programmed on its agenda', async () => {
    const coordinator = h.credentialFor('partnership_coordinator')
    clerk = await newPage()
    await signIn(clerk, coordinator.email, coordinator.password)
    await follow(clerk, 'Boards')
    await follow(clerk, BODY)
    await follow(clerk, 'Meetings and forward programme')
    await expect.poll(() => clerk.getByText(PROGRAMMED_ITEM).count()).toBeGreaterThan(0)
    await follow(clerk, /^Schedule a new meeting for it/)

    const [year, month, day] = today.split('-')
    const date = clerk.getByRole('group', { name: 'Date' })
    await date.getByLabel('Day', { exact: true }).fill(String(Number(day)))
    await date.getByLabel('Month', { exact: true }).fill(String(Number(month)))
    await date.getByLabel('Year', { exact: true }).fill(year!)
    await clerk.getByLabel('Start time').fill('14:00')
    await clerk.getByLabel('Microsoft Teams').check()
    // The item it was scheduled for comes ticked.
    await expect.poll(() => clerk.getByRole('group', { name: 'Items from the forward programme' }).getByLabel(PROGRAMMED_ITEM).isChecked()).toBe(true)
    await checkAccessibility(clerk)
    await clerk.getByRole('button', { name: 'Schedule meeting' }).click()
    await waitForPath(clerk, (pathname) => new RegExp(`^/meetings/${UUID}$`).test(pathname))
    meetingId = new URL(clerk.url()).pathname.split('/')[2]!
    await checkAccessibility(clerk)

    const agenda = await clerk.locator('main').innerText()
    for (const standing of ['Apologies for absence', 'Minutes of the previous meeting', 'Matters arising', 'Action log', 'Declarations of interest', PROGRAMMED_ITEM, 'Any other business', 'Date of next meeting']) {
      expect(agenda).toContain(standing)
    }
    expect(agenda.indexOf(PROGRAMMED_ITEM)).toBeLessThan(agenda.indexOf('Any other business'))
    expectNoBrowserErrors(clerk)
  }, STEP_TIMEOUT)

  it('records attendance and apologies from the member list', async () => {
    await follow(clerk, 'Record minutes')
    expect(await heading(clerk)).toContain('Minutes of the meeting')
    await follow(clerk, 'Record attendance')
    await clerk.getByRole('group', { name: /^Cllr Morgan Ellis \(Chair\)/ }).getByLabel('Present', { exact: true }).check()
    await clerk.getByRole('group', { name: /^Inspector Rachel Dunmore/ }).getByLabel('Present', { exact: true }).check()
    await clerk.getByRole('group', { name: /^Station Manager Lee Whitfield/ }).getByLabel('Sent apologies', { exact: true }).check()
    await clerk.getByRole('group', { name: new RegExp(`^${OWNER}`) }).getByLabel('Present', { exact: true }).check()
    await clerk.getByRole('button', { name: 'Save attendance' }).click()
    await waitForPath(clerk, (pathname) => pathname === `/meetings/${meetingId}/minutes`)
    await checkAccessibility(clerk)
    const attendance = await clerk.locator('#attendance').locator('xpath=following-sibling::*[1]').innerText()
    expect(attendance).toContain('Cllr Morgan Ellis')
    expect(await clerk.locator('main').innerText()).toContain('Station Manager Lee Whitfield')
  }, STEP_TIMEOUT)

  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

  /** The link to an item's minutes on the clerk's minutes page, and the item's number on the agenda. */
  async function itemLink(title: string) {
    await clerk.goto(`/meetings/${meetingId}/minutes`)
    const link = clerk.getByRole('link', { name: new RegExp(`^Write the minutes of item \\d+\\s*:\\s*${escape(title)}$`) })
    const number = Number(/item (\d+)/.exec((await link.textContent()) ?? '')?.[1])
    expect(number, `the item "${title}" on the minutes page`).toBeGreaterThan(0)
    return { link, number }
  }

  /** Opens an item's minutes page from the clerk's minutes page. */
  async function openItem(title: string) {
    const { link, number } = await itemLink(title)
    await link.click()
    await clerk.waitForLoadState('load')
    await checkAccessibility(clerk)
    return number
  }

  async function addResolution(text: string) {
    await clerk.getByLabel('Resolution', { exact: true }).fill(text)
    await clerk.getByRole('button', { name: 'Add resolution' }).click()
    await clerk.waitForLoadState('load')
    await expect.poll(() => clerk.getByRole('cell', { name: text }).count()).toBe(1)
  }

  async function addAction(text: string, options: { due: 'next meeting' }) {
    await follow(clerk, 'Add an action')
    await clerk.getByLabel('Action', { exact: true }).fill(text)
    const owner = clerk.getByRole('group', { name: 'Members of the body' }).getByRole('checkbox', { name: new RegExp(`^${OWNER} \\(`) })
    await owner.check()
    expect(await owner.isChecked()).toBe(true)
    if (options.due === 'next meeting') await clerk.getByLabel('By the next meeting').check()
    await checkAccessibility(clerk)
    await clerk.getByRole('button', { name: /Add action|Save action|Create action/ }).click()
    await waitForPath(clerk, (pathname) => pathname.startsWith(`/meetings/${meetingId}/minutes`))
    expect(await clerk.locator('main').innerText()).toContain(text)
  }

  it('minutes two items with resolutions and actions, and takes one by agenda variance', async () => {
    // The report from the forward programme, taken before the action log.
    await openItem(PROGRAMMED_ITEM)
    await clerk.getByLabel('What was discussed').fill('The Community Safety Coordinator presented the timetable for refreshing the strategic needs assessment with the Violence Reduction Network.')
    await clerk.getByRole('button', { name: 'Save minutes' }).click()
    await clerk.waitForLoadState('load')
    await addResolution('that the timetable for the refresh be approved')
    await addResolution('that partners provide their data by the end of the quarter')
    const actionLog = (await itemLink('Action log')).number
    await openItem(PROGRAMMED_ITEM)
    await clerk.getByLabel('When the meeting took this item').selectOption({ label: `Taken before item ${actionLog}: Action log` })
    await clerk.getByRole('button', { name: 'Save agenda variance' }).click()
    await clerk.waitForLoadState('load')
    await checkAccessibility(clerk)
    await openItem(PROGRAMMED_ITEM)
    await addAction(firstAction, { due: 'next meeting' })

    // The action log item: the standard wording, and a second action.
    await openItem('Action log')
    await clerk.getByLabel('What was discussed').fill('Members went through the action log. Two actions were carried forward.')
    await clerk.getByRole('button', { name: 'Save minutes' }).click()
    await clerk.waitForLoadState('load')
    await clerk.getByRole('button', { name: 'Use standard wording' }).click()
    await clerk.waitForLoadState('load')
    await expect.poll(() => clerk.getByRole('cell', { name: 'that the status of the action log be noted' }).count()).toBe(1)
    await addAction(secondAction, { due: 'next meeting' })

    // The minutes page shows the variance at both places.
    await clerk.goto(`/meetings/${meetingId}/minutes`)
    await checkAccessibility(clerk)
    expect(await clerk.locator('main').innerText()).toContain(`Taken before item ${actionLog}`)
    expectNoBrowserErrors(clerk)
  }, 2 * STEP_TIMEOUT)

  it('records the time the meeting closed, publishes the minutes and downloads them as DOCX with the actions table', async () => {
    await clerk.getByLabel('Time the meeting closed').fill('15:45')
    await clerk.getByRole('button', { name: 'Save time' }).click()
    await clerk.waitForLoadState('load')
    await clerk.getByRole('button', { name: 'Publish minutes' }).click()
    await clerk.waitForLoadState('load')
    await checkAccessibility(clerk)

    const [download] = await Promise.all([clerk.waitForEvent('download'), clerk.getByRole('link', { name: 'Download the minutes (DOCX)' }).click()])
    expect(download.suggestedFilename()).toMatch(/\.docx$/)
    // The shared Chromium is a remote browser: the download is read back over its connection, not from a local path.
    const { value: html } = await mammoth.convertToHtml({ buffer: await buffer(await download.createReadStream()) })
    const headings = [...html.matchAll(/<h[1-3]>(.*?)<\/h[1-3]>/g)].map((match) => match[1]!.replace(/<[^>]+>/g, ''))
    expect(headings.join('\n')).toContain(BODY.toUpperCase())
    for (const section of ['PRESENT', 'APOLOGIES', 'ACTIONS ARISING']) expect(headings).toContain(section)
    // Numbered items in the order taken: the report before the action log.
    const report = headings.findIndex((text) => text.includes(PROGRAMMED_ITEM.toUpperCase()))
    const log = headings.findIndex((text) => /^\d+\. ACTION LOG$/.test(text))
    expect(report).toBeGreaterThan(-1)
    expect(log).toBeGreaterThan(report)
    expect(html).toContain('was considered earlier in the meeting')
    // The actions table: a row per action with its owner.
    const table = /<table>([\s\S]*?)<\/table>/.exec(html.slice(html.lastIndexOf('ACTIONS ARISING')))?.[1] ?? ''
    expect(table).toContain(firstAction)
    expect(table).toContain(secondAction)
    expect(table).toContain(OWNER)
    expect(html).toContain('RESOLVED')
    expect(html).toContain('(a)')

    await clerk.goto(`/meetings/${meetingId}/published-minutes`)
    await checkAccessibility(clerk)
    expect(await heading(clerk)).toContain(BODY)
  }, STEP_TIMEOUT)

  it('at the next meeting the action log shows the carried-forward actions', async () => {
    await clerk.goto('/meetings')
    await checkAccessibility(clerk)
    await clerk.goto(`/bodies`)
    await follow(clerk, BODY)
    await follow(clerk, 'Meetings and forward programme')
    // The next meeting after today's: the demo's upcoming meeting, three weeks ahead.
    const links = await clerk.locator(`a[href^="/meetings/"]`).evaluateAll((anchors) => anchors.map((anchor) => anchor.getAttribute('href')!))
    const next = links.map((href) => /^\/meetings\/([0-9a-f-]{36})$/.exec(href)?.[1]).find((id) => id && id !== meetingId)
    expect(next, 'a link to the next meeting').toBeTruthy()
    await clerk.goto(`/meetings/${next}`)
    await checkAccessibility(clerk)
    await follow(clerk, /Action log for this meeting|View the action log|Action log/)
    const log = await clerk.locator('main').innerText()
    expect(log).toContain(firstAction)
    expect(log).toContain(secondAction)
    expect(log).toMatch(new RegExp(`${today.slice(8, 10)}${today.slice(5, 7)}${today.slice(2, 4)} Item \\d+`))
    expectNoBrowserErrors(clerk)
  }, STEP_TIMEOUT)

  it('an owner sees the action on their home page and marks it complete', async () => {
    const member = h.credentialFor('board_member')
    const owner = await newPage()
    await signIn(owner, member.email, member.password)
    await checkAccessibility(owner)
    expect(await owner.locator('main').innerText()).toContain(firstAction)
    await follow(owner, 'Actions')
    expect(await heading(owner)).toBe('My actions')
    await owner.getByRole('row').filter({ hasText: firstAction }).getByRole('link', { name: /^Update/ }).click()
    await owner.waitForLoadState('load')
    await checkAccessibility(owner)
    await owner.getByLabel('Complete', { exact: true }).check()
    await owner.getByLabel('Comment').fill('Circulated on the day; comments due back in two weeks.')
    await owner.getByRole('button', { name: 'Save update' }).click()
    await owner.waitForLoadState('load')
    await checkAccessibility(owner)
    expect(await owner.locator('main').innerText()).toContain('Complete')
    expectNoBrowserErrors(owner)

    // The clerk's next action log shows it complete, with the owner's comment.
    await clerk.reload()
    const log = await clerk.locator('main').innerText()
    expect(log).toContain('Circulated on the day')
  }, STEP_TIMEOUT)
})
