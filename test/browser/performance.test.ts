import { readFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureBoundaries } from '../../src/modules/performance/geography.js'
import { importPoliceFile } from '../../src/modules/performance/police-import.js'
import { type BrowserHarness, checkAccessibility, expectNoBrowserErrors, signIn, skipBrowserTests, skipReason, startBrowserHarness, waitForPath } from './harness.js'

/**
 * Issue 6 in a browser: an analyst imports a police.uk file on the import page and watches it finish, then reads the
 * dashboard for Charnwood against the month before, follows a crime type to its trend, and opens the top areas and the
 * hotspot map. A board member reads the same dashboard with JavaScript off. Every page is checked with axe.
 */

const STEP_TIMEOUT = 60_000
const POLICE = new URL('../../../shared/data/police-uk/', import.meta.url)

describe.skipIf(skipBrowserTests)(`performance dashboards from police.uk files, in a browser${skipBrowserTests ? ` (${skipReason})` : ''}`, () => {
  let h: BrowserHarness
  let analyst: Page

  beforeAll(async () => {
    h = await startBrowserHarness()
    await ensureBoundaries(h.testDb.database)
    // December is loaded before the test; January arrives through the import page.
    await importPoliceFile(h.testDb.database, { fileName: '2018-12-leicestershire-street.csv', stream: Readable.from(readFileSync(new URL('2018-12-leicestershire-street.csv', POLICE))) })
  }, 120_000)

  afterAll(async () => {
    if (h?.minorViolations.length) console.info(`Minor or moderate accessibility findings (not failed):\n  ${h.minorViolations.join('\n  ')}`)
    await h?.close()
  })

  const analystPage = async () => {
    if (!analyst) {
      analyst = await h.newPage()
      await signIn(analyst, h.credentialFor('analyst').email, h.credentialFor('analyst').password)
    }
    return analyst
  }

  it('the analyst imports a month of police.uk data and sees the summary', async () => {
    await analystPage()
    await analyst.getByRole('link', { name: 'Import police.uk data' }).first().click()
    await waitForPath(analyst, '/performance/imports')
    await checkAccessibility(analyst)
    await analyst.locator('input[type=file]').setInputFiles([new URL('2019-01-leicestershire-street.csv', POLICE).pathname, new URL('2019-01-btp-street.csv', POLICE).pathname])
    // The progress page's first fetch of itself is lost on the network: it tries again rather than standing still.
    let dropped = 0
    await analyst.route('**/performance/imports/jobs/*', async (route) => {
      if (route.request().resourceType() === 'fetch' && dropped++ === 0) return route.abort('aborted')
      return route.continue()
    })
    await analyst.getByRole('button', { name: /Import/ }).click()
    await waitForPath(analyst, (pathname) => pathname.startsWith('/performance/imports/jobs/'))
    await analyst.getByText('2019-01-btp-street.csv').first().waitFor()
    // The page's script swaps the progress in place (no timed reload) and announces the end politely.
    await analyst.locator('#import-job').getByText(/2 files imported/).waitFor({ timeout: 30_000 })
    expect(await analyst.locator('#import-job-announcement').innerText()).toMatch(/2 files imported/)
    expect(await analyst.locator('main').innerText()).toContain('8,503')
    expect(dropped).toBeGreaterThan(1)
    await analyst.unroute('**/performance/imports/jobs/*')
    await checkAccessibility(analyst)
    expectNoBrowserErrors(analyst)
  }, STEP_TIMEOUT)

  it('reads Charnwood against the month before, and follows burglary to its trend', async () => {
    await analystPage()
    await analyst.goto('/performance')
    expect(await analyst.getByRole('heading', { level: 1 }).innerText()).toBe('Crime and ASB in Leicester, Leicestershire and Rutland')
    await checkAccessibility(analyst)
    await analyst.getByLabel('Area').selectOption({ label: '– Charnwood' })
    await analyst.getByLabel('Period').selectOption('month')
    await analyst.getByLabel('Month', { exact: true }).selectOption('2019-01')
    await analyst.getByLabel('Compare with').selectOption('previous')
    await analyst.getByRole('button', { name: 'Show figures' }).click()
    await waitForPath(analyst, (pathname, url) => pathname === '/performance' && url.searchParams.get('area') === 'E07000130')
    expect(await analyst.getByRole('heading', { level: 1 }).innerText()).toBe('Crime and ASB in Charnwood')
    // British Transport Police's January file has no December beside it: every force together is not compared.
    expect(await analyst.locator('.govuk-warning-text').innerText()).toContain('Choose a force under \u201cReported by\u201d to compare its figures.')
    await analyst.getByLabel('Reported by').selectOption('Leicestershire Police')
    await analyst.getByRole('button', { name: 'Show figures' }).click()
    await waitForPath(analyst, (pathname, url) => pathname === '/performance' && url.searchParams.get('force') === 'Leicestershire Police')
    const burglary = analyst.getByRole('row', { name: /^Burglary/ })
    const cells = await burglary.getByRole('cell').allInnerTexts()
    // January 142 against December 98: +44, +44.9%, up (counts checked against the CSV in the module tests).
    expect(cells.slice(0, 4)).toEqual(['142', '98', '+44', '+44.9%'])
    expect(cells[4]).toContain('Up')
    expect(await analyst.getByRole('img', { name: /Crimes by type in Charnwood/ }).count()).toBe(1)
    await checkAccessibility(analyst)

    await burglary.getByRole('link', { name: 'Burglary' }).click()
    await waitForPath(analyst, '/performance/trends')
    expect(await analyst.getByRole('heading', { level: 1 }).innerText()).toBe('Burglary: five-year trend in Charnwood')
    expect(await analyst.locator('#highest').innerText()).toMatch(/^Burglary in Charnwood was at its highest level in the 2 months of data loaded/)
    await checkAccessibility(analyst)
    expectNoBrowserErrors(analyst)
  }, STEP_TIMEOUT)

  it('opens the areas with the highest levels of crime and the hotspot map in both views', async () => {
    await analystPage()
    await analyst.goto('/performance?area=E07000130&period=month&month=2019-01&compare=previous')
    await analyst.getByRole('link', { name: 'Areas with the highest levels of crime' }).click()
    await waitForPath(analyst, '/performance/top-areas')
    expect(await analyst.locator('#top-areas tbody tr').count()).toBeGreaterThan(5)
    await checkAccessibility(analyst)

    await analyst.goto('/performance?area=E07000130&period=month&month=2019-01&compare=previous')
    await analyst.getByRole('link', { name: 'Hotspot map' }).click()
    await waitForPath(analyst, '/performance/map')
    expect(await analyst.locator('figure svg path').count()).toBeGreaterThan(90)
    await checkAccessibility(analyst)
    await analyst.getByRole('link', { name: 'Points', exact: true }).click()
    await waitForPath(analyst, (pathname, url) => url.searchParams.get('view') === 'points')
    expect(await analyst.locator('figure svg circle').count()).toBeGreaterThan(50)
    await checkAccessibility(analyst)
    expectNoBrowserErrors(analyst)
  }, STEP_TIMEOUT)

  it('a board member reads the dashboard without JavaScript', async () => {
    const member = await h.newPage({ javaScriptEnabled: false })
    await signIn(member, h.credentialFor('board_member').email, h.credentialFor('board_member').password)
    await member.getByRole('link', { name: 'Performance', exact: true }).click()
    await waitForPath(member, '/performance')
    await member.getByLabel('Area').selectOption({ label: '– Charnwood' })
    await member.getByRole('button', { name: 'Show figures' }).click()
    await waitForPath(member, (pathname, url) => url.searchParams.get('area') === 'E07000130')
    expect(await member.locator('#figures').innerText()).toContain('Violence and sexual offences')
    expect(await member.getByRole('link', { name: 'Import police.uk data' }).count()).toBe(0)
    await checkAccessibility(member)
    expectNoBrowserErrors(member)
  }, STEP_TIMEOUT)
})
