import { describe, expect, it } from 'vitest'
import { expectInOrder } from '../../../test/helpers/text.js'
import { meetingRecordFixture, pdfPages } from './meeting-record.fixtures.js'
import { agendaPdf, minutesPdf } from './minutes-pdf.js'

const PUBLIC = { withheldNumbers: [8] }
/** pdf-parse breaks lines where the page wraps them: compare text with single spaces. */
const flat = (pages: string[]) => pages.join('\n').replace(/\s+/g, ' ')

describe('minutesPdf', () => {
  it('holds the title block, attendance, items in the order taken, resolutions, actions and the closing', async () => {
    const text = flat(await pdfPages(await minutesPdf(meetingRecordFixture(), PUBLIC)))
    const inOrder = [
      'MINUTES OF A MEETING OF THE CHARNWOOD COMMUNITY SAFETY PARTNERSHIP',
      'held at Council Chamber, Southfields, Loughborough on Thursday, 3 December 2026 at 10.00 am',
      'PRESENT Councillor Jane Smith (Chair) — Charnwood Borough Council Tom McCabe, Inspector — Leicestershire Police',
      'IN ATTENDANCE Mark Oswin, Community Safety Manager — Charnwood Borough Council',
      'APOLOGIES Paul Reed — Leicestershire Fire and Rescue Service',
      '1. APOLOGIES',
      '2. DECLARATIONS OF INTEREST Helen Carter declared an interest in item 5',
      '3. MINUTES OF THE PREVIOUS MEETING RESOLVED: that the minutes of the meeting held on 24 September 2026 be taken as read and confirmed as a correct record.',
      '5. SERIOUS VIOLENCE DUTY',
      'AGREED: that the presentation be noted.',
      '6. ANTI-SOCIAL BEHAVIOUR UPDATE The Community Safety Manager (Mark Oswin) presented the report (Agenda Item 5).',
      'RESOLVED: (a) that the contents of the report be noted; (b) that a bid for two further drone licences be brought to the next meeting.',
      'ACTION: Circulate the drone bid to partners — Mark Oswin (Charnwood Borough Council) — by 15 January 2027',
      'Agenda Item 6, Serious violence duty, was considered earlier in the meeting (see minute 5).',
      '7. ASB CASE REVIEW ANNUAL FIGURES This item was deferred until the next meeting: due to the absence of the ASB Officer.',
      '8. EXEMPT ITEM',
      'The meeting closed at 11.45 am.',
      'CHAIR Signed: Date:',
      'ACTIONS ARISING Minute Action Owner Due',
    ]
    expectInOrder(text, inOrder)
    expect(text).toContain('6 Circulate the drone bid to partners Mark Oswin (Charnwood Borough Council)')
    expect(text).not.toContain('Ashby')
    expect(text).not.toContain('DRAFT')
  })

  it('numbers every page "Page 1 of N" and marks every page of a draft with exempt items', async () => {
    const pages = await pdfPages(await minutesPdf(meetingRecordFixture({ minutesStatus: 'draft', withExempt: true })))
    expect(pages.length).toBeGreaterThan(1)
    pages.forEach((page, index) => {
      expect(page).toContain(`Page ${index + 1} of ${pages.length}`)
      expect(page).toContain('DRAFT – NOT FOR PUBLICATION')
    })
    expect(flat(pages)).toContain('8. CASE REVIEW: ASHBY ROAD Exempt: not for publication (Information about named individuals).')
  })

  it('is a tagged A4 PDF in English with its title shown, headings and the table in its structure', async () => {
    const content = await minutesPdf(meetingRecordFixture(), PUBLIC)
    const raw = content.toString('latin1')
    expect(raw).toContain('/MediaBox [0 0 595.28 841.89]')
    expect(raw).toMatch(/\/MarkInfo \d+ 0 R/)
    expect(raw).toContain('/Marked true')
    expect(raw).toMatch(/\/StructTreeRoot \d+ 0 R/)
    expect(raw).toContain('/Lang (en-GB)')
    expect(raw).toContain('/DisplayDocTitle true')
    const { PDFParse } = await import('pdf-parse')
    const info = await new PDFParse({ data: new Uint8Array(content) }).getInfo()
    expect(info.info).toMatchObject({ Title: 'Minutes of the Charnwood Community Safety Partnership, 3 December 2026', Language: 'en-GB' })
    for (const tag of ['/S /H1', '/S /H2', '/S /L', '/S /Table', '/S /TH', '/S /TD']) expect(raw, tag).toContain(tag)
  })
})

describe('agendaPdf', () => {
  it('holds the body, date, time, venue and items with presenters, papers and the withheld exempt item', async () => {
    const text = flat(await pdfPages(await agendaPdf(meetingRecordFixture(), PUBLIC)))
    expect(text).toContain('CHARNWOOD COMMUNITY SAFETY PARTNERSHIP AGENDA Date: Thursday, 3 December 2026 Time: 10.00 am Venue: Council Chamber, Southfields, Loughborough 1. Apologies')
    expect(text).toContain('5. Anti-social behaviour update Presented by Mark Oswin, Community Safety Manager Agenda Item 5: ASB performance, quarter 2 6. Serious violence duty')
    expect(text).toContain('7. ASB Case Review annual figures Presented by Priya Shah, ASB Officer 8. Exempt item 9. Hot Topics')
    expect(text).toContain('Page 1 of 1')
  })
})
