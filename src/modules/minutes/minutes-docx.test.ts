import { describe, expect, it } from 'vitest'
import { docxHtml, meetingRecordFixture, tagTexts } from './meeting-record.fixtures.js'
import { agendaDocx, minutesDocx } from './minutes-docx.js'

const PUBLIC = { withheldNumbers: [8] }

describe('minutesDocx', () => {
  it('writes the title block, attendance and numbered items in the order taken as real Word headings', async () => {
    const html = await docxHtml(await minutesDocx(meetingRecordFixture(), PUBLIC))
    expect(tagTexts(html, 'h1')).toEqual(['MINUTES OF A MEETING OF THE CHARNWOOD COMMUNITY SAFETY PARTNERSHIP'])
    expect(tagTexts(html, 'h2')).toEqual([
      'PRESENT',
      'IN ATTENDANCE',
      'APOLOGIES',
      '1. APOLOGIES',
      '2. DECLARATIONS OF INTEREST',
      '3. MINUTES OF THE PREVIOUS MEETING',
      '4. ACTION LOG',
      // Agenda item 6 was taken before item 5: minute numbers follow the order taken.
      '5. SERIOUS VIOLENCE DUTY',
      '6. ANTI-SOCIAL BEHAVIOUR UPDATE',
      '7. ASB CASE REVIEW ANNUAL FIGURES',
      '8. EXEMPT ITEM',
      '9. HOT TOPICS',
      '10. ANY OTHER BUSINESS',
      '11. DATE OF NEXT MEETING',
      'ACTIONS ARISING',
    ])
    expect(html).toContain('<p>held at Council Chamber, Southfields, Loughborough on Thursday, 3 December 2026 at 10.00 am</p>')
    expect(html).not.toContain('DRAFT')
  })

  it('lists the chair first, then members and officers with their organisations, and apologies', async () => {
    const html = await docxHtml(await minutesDocx(meetingRecordFixture(), PUBLIC))
    const present = html.slice(html.indexOf('<h2>PRESENT</h2>'), html.indexOf('<h2>IN ATTENDANCE</h2>'))
    expect(tagTexts(present, 'p')).toEqual([
      'Councillor Jane Smith (Chair) — Charnwood Borough Council',
      'Tom McCabe, Inspector — Leicestershire Police',
      'Helen Carter (substitute for Paul Reed) — Leicestershire Fire and Rescue Service',
    ])
    expect(html).toContain('<p>Mark Oswin, Community Safety Manager — Charnwood Borough Council</p>')
    expect(html).toContain('<p>Paul Reed — Leicestershire Fire and Rescue Service</p>')
  })

  it('writes "None" under an empty attendance heading, and says when no interests were declared', async () => {
    const record = { ...meetingRecordFixture(), inAttendance: [], declarations: [] }
    const html = await docxHtml(await minutesDocx(record, PUBLIC))
    expect(html).toContain('<h2>IN ATTENDANCE</h2><p>None</p><h2>APOLOGIES</h2>')
    expect(html).toContain('<h2>2. DECLARATIONS OF INTEREST</h2><p>No declarations of interest were made.</p>')
  })

  it('writes the presenter line, the minutes paragraphs, lettered RESOLVED blocks and bold actions', async () => {
    const html = await docxHtml(await minutesDocx(meetingRecordFixture(), PUBLIC))
    const minute6 = html.slice(html.indexOf('<h2>6. ANTI-SOCIAL BEHAVIOUR UPDATE</h2>'), html.indexOf('<h2>7.'))
    expect(tagTexts(minute6, 'p')).toEqual([
      'The Community Safety Manager (Mark Oswin) presented the report (Agenda Item 5).',
      'Reports of anti-social behaviour had fallen by 12% against the same quarter last year.',
      'Members asked about the rise in reports from Loughborough town centre. The Inspector said that a dispersal direction had been authorised twice since September.',
      'RESOLVED:',
      '(a)\tthat the contents of the report be noted;',
      '(b)\tthat a bid for two further drone licences be brought to the next meeting.',
      'ACTION: Circulate the drone bid to partners — Mark Oswin (Charnwood Borough Council) — by 15 January 2027',
      'ACTION: Share ASB hotspot maps with the housing providers — Tom McCabe (Leicestershire Police) and Longhurst Group — by the next meeting',
      'Agenda Item 6, Serious violence duty, was considered earlier in the meeting (see minute 5).',
    ])
    expect(minute6).toContain('<p><strong>ACTION: Circulate the drone bid to partners')
    expect(minute6).toContain('<p><em>Agenda Item 6, Serious violence duty, was considered earlier in the meeting (see minute 5).</em></p>')
    // A single resolution has no label; the previous minutes are confirmed in the resolution's own words; AGREED as recorded.
    expect(html).toContain('<p><strong>RESOLVED: </strong>that the status of the action log be noted.</p>')
    expect(html).toContain('<p><strong>RESOLVED: </strong>that the minutes of the meeting held on 24 September 2026 be taken as read and confirmed as a correct record.</p>')
    expect(html).toContain('<p><strong>AGREED: </strong>that the presentation be noted.</p>')
    expect(html).toContain('<p>Helen Carter declared an interest in item 5, Anti-social behaviour update: her partner works for the Longhurst Group.</p>')
  })

  it('writes deferred items, the hot topic, the date of the next meeting, the closing time and the chair signature block', async () => {
    const html = await docxHtml(await minutesDocx(meetingRecordFixture(), PUBLIC))
    expect(html).toContain('<h2>7. ASB CASE REVIEW ANNUAL FIGURES</h2><p>This item was deferred until the next meeting: due to the absence of the ASB Officer.</p><h2>')
    expect(html).toContain('<p>Topic raised: Shoplifting in Loughborough town centre.</p>')
    expect(html).toContain('<p>The next meeting will be held on Thursday, 4 March 2027 at 10.00 am at Council Chamber, Southfields, Loughborough.</p>')
    expect(html).toContain('<p>The meeting closed at 11.45 am.</p><p><strong>CHAIR</strong></p><p>Signed: \t</p><p>Date: \t</p>')
  })

  it('summarises every action of the meeting in a real table with minute, action, owner and due date', async () => {
    const html = await docxHtml(await minutesDocx(meetingRecordFixture(), PUBLIC))
    const table = html.slice(html.indexOf('<table>'), html.indexOf('</table>'))
    expect(tagTexts(table, 'th')).toEqual(['Minute', 'Action', 'Owner', 'Due'])
    const rows = [...table.matchAll(/<tr>(.*?)<\/tr>/gs)].slice(1).map((row) => tagTexts(row[1]!, 'td'))
    expect(rows).toEqual([
      ['5', 'Send the strategic needs assessment to members', 'Grace Wilson (Violence Reduction Network)', 'Next meeting'],
      ['6', 'Circulate the drone bid to partners', 'Mark Oswin (Charnwood Borough Council)', '15 January 2027'],
      ['6', 'Share ASB hotspot maps with the housing providers', 'Tom McCabe (Leicestershire Police)Longhurst Group', 'Next meeting'],
    ])
  })

  it('keeps an exempt item out of the public copy under its own number, and shows it marked in the members\' copy', async () => {
    const publicHtml = await docxHtml(await minutesDocx(meetingRecordFixture(), PUBLIC))
    expect(publicHtml).toContain('<h2>8. EXEMPT ITEM</h2><p>This item contains exempt information. Its minute is not published.</p>')
    expect(publicHtml).not.toContain('Ashby')
    expect(publicHtml).not.toContain('NOT FOR PUBLICATION')

    const membersHtml = await docxHtml(await minutesDocx(meetingRecordFixture({ withExempt: true })))
    expect(membersHtml).toContain('<p><strong>NOT FOR PUBLICATION: this copy includes exempt items</strong></p>')
    expect(membersHtml).toContain('<h2>8. CASE REVIEW: ASHBY ROAD</h2><p><strong>Exempt: not for publication (Information about named individuals).</strong></p><p>Members discussed the case of the family at Ashby Road.</p>')
    expect(membersHtml).toContain('<td><p>8</p></td><td><p>Refer the Ashby Road family to the case conference</p></td>')
  })

  it('marks a draft DRAFT under the title', async () => {
    const html = await docxHtml(await minutesDocx(meetingRecordFixture({ minutesStatus: 'draft' }), PUBLIC))
    expect(html).toContain('at 10.00 am</p><p><strong>DRAFT</strong></p><h2>PRESENT</h2>')
  })

  it('says when the minutes were confirmed, with the amendment', async () => {
    const record = meetingRecordFixture({ minutesStatus: 'confirmed' })
    record.meeting.confirmation = { atMeetingId: 'ee000000-0000-4000-8000-000000000002', atMeetingOn: '2027-03-04', subjectToAmendment: true, amendment: 'Minute 6: the fall was 12%, not 21%.' }
    const html = await docxHtml(await minutesDocx(record, PUBLIC))
    expect(html).toContain('<p>These minutes were confirmed as a correct record at the meeting held on 4 March 2027, subject to the following amendment:</p><p>Minute 6: the fall was 12%, not 21%.</p>')
  })

  it('says when no actions arose', async () => {
    const record = meetingRecordFixture()
    record.items = record.items.map((item) => ({ ...item, actions: [] }))
    const html = await docxHtml(await minutesDocx(record, PUBLIC))
    expect(html).toContain('<h2>ACTIONS ARISING</h2><p>No actions arose from this meeting.</p>')
    expect(html).not.toContain('<table>')
  })
})

describe('agendaDocx', () => {
  it('writes the body, date, time and venue, and each item with its presenter and papers', async () => {
    const html = await docxHtml(await agendaDocx(meetingRecordFixture(), PUBLIC))
    expect(tagTexts(html, 'h1')).toEqual(['CHARNWOOD COMMUNITY SAFETY PARTNERSHIP'])
    expect(tagTexts(html, 'h2')).toEqual(['AGENDA'])
    expect(html).toContain('<p><strong>Date: </strong>Thursday, 3 December 2026</p><p><strong>Time: </strong>10.00 am</p><p><strong>Venue: </strong>Council Chamber, Southfields, Loughborough</p>')
    expect(tagTexts(html, 'h3')).toEqual([
      '1. Apologies',
      '2. Declarations of interest',
      '3. Minutes of the previous meeting',
      '4. Action log',
      '5. Anti-social behaviour update',
      '6. Serious violence duty',
      '7. ASB Case Review annual figures',
      '8. Exempt item',
      '9. Hot Topics',
      '10. Any other business',
      '11. Date of next meeting',
    ])
    expect(html).toContain('<h3>5. Anti-social behaviour update</h3><p>Presented by Mark Oswin, Community Safety Manager</p><p>Agenda Item 5: ASB performance, quarter 2</p>')
    expect(html).toContain('<h3>8. Exempt item</h3><h3>9. Hot Topics</h3><p>Topic: Shoplifting in Loughborough town centre.</p>')
    expect(html).toContain('<h3>11. Date of next meeting</h3><p>Thursday, 4 March 2027 at 10.00 am, Council Chamber, Southfields, Loughborough</p>')
    expect(html).not.toContain('DRAFT')
  })

  it('shows an exempt item marked (Exempt) in the members\' copy, and an unpublished agenda as a draft', async () => {
    const record = meetingRecordFixture({ withExempt: true })
    record.meeting.agendaPublishedAt = null
    const html = await docxHtml(await agendaDocx(record))
    expect(html).toContain('<h3>8. Case review: Ashby Road (Exempt)</h3><p><strong>Not for publication: Information about named individuals.</strong></p>')
    expect(html).toContain('<h2>AGENDA</h2><p><strong>DRAFT</strong></p><p><strong>NOT FOR PUBLICATION: this copy includes exempt items</strong></p>')
  })
})
