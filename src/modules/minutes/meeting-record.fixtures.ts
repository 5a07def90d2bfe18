import type { MeetingRecord, RecordItem } from './meeting-record.js'

/** An agenda item of a record, with nothing on it unless given. */
export const recordItem = (number: number, kind: string, title: string, rest: Partial<RecordItem> = {}): RecordItem => ({
  id: `00000000-0000-4000-8000-${String(number).padStart(12, '0')}`,
  number,
  kind,
  title,
  description: null,
  hotTopic: null,
  presenter: null,
  exempt: false,
  exemptReason: null,
  papers: [],
  minutes: null,
  resolutions: [],
  actions: [],
  deferredReason: null,
  takenBeforeNumber: null,
  ...rest,
})

/**
 * A CSP meeting as the minutes of a real one read: standing items, two reports with lettered resolutions and actions,
 * a presentation taken early by agenda variance, a deferred item, and (when asked) an exempt case review.
 */
export function meetingRecordFixture(options: { minutesStatus?: MeetingRecord['meeting']['minutesStatus']; withExempt?: boolean } = {}): MeetingRecord {
  const items: RecordItem[] = [
    recordItem(1, 'apologies', 'Apologies'),
    recordItem(2, 'declarations', 'Declarations of interest'),
    recordItem(3, 'previous_minutes', 'Minutes of the previous meeting', {
      resolutions: [{ kind: 'resolved', label: '(a)', text: 'that the minutes of the meeting held on 24 September 2026 be taken as read and confirmed as a correct record.' }],
    }),
    recordItem(4, 'action_log', 'Action log', {
      minutes: 'The Community Safety Manager went through the action log. Two actions were complete and one was carried forward.',
      resolutions: [{ kind: 'resolved', label: '(a)', text: 'that the status of the action log be noted.' }],
    }),
    recordItem(5, 'report', 'Anti-social behaviour update', {
      presenter: { name: 'Mark Oswin', role: 'Community Safety Manager' },
      papers: [{ id: 'a6f0c1de-0000-4000-8000-000000000001', title: 'ASB performance, quarter 2', label: 'Agenda Item 5', fileName: 'asb-q2.pdf' }],
      minutes:
        'Reports of anti-social behaviour had fallen by 12% against the same quarter last year.\n\nMembers asked about the rise in reports from Loughborough town centre. The Inspector said that a dispersal direction had been authorised twice since September.',
      resolutions: [
        { kind: 'resolved', label: '(a)', text: 'that the contents of the report be noted;' },
        { kind: 'resolved', label: '(b)', text: 'that a bid for two further drone licences be brought to the next meeting.' },
      ],
      actions: [
        { id: 'ac000000-0000-4000-8000-000000000001', text: 'Circulate the drone bid to partners', owners: ['Mark Oswin (Charnwood Borough Council)'], due: '2027-01-15', status: 'open' },
        { id: 'ac000000-0000-4000-8000-000000000002', text: 'Share ASB hotspot maps with the housing providers', owners: ['Tom McCabe (Leicestershire Police)', 'Longhurst Group'], due: 'Next meeting', status: 'open' },
      ],
    }),
    recordItem(6, 'presentation', 'Serious violence duty', {
      presenter: { name: 'Grace Wilson', role: 'Violence Reduction Network Lead' },
      takenBeforeNumber: 5,
      minutes: 'The Violence Reduction Network Lead gave a presentation on the serious violence duty and the new strategic needs assessment.',
      resolutions: [{ kind: 'agreed', label: '(a)', text: 'that the presentation be noted.' }],
      actions: [{ id: 'ac000000-0000-4000-8000-000000000003', text: 'Send the strategic needs assessment to members', owners: ['Grace Wilson (Violence Reduction Network)'], due: 'Next meeting', status: 'open' }],
    }),
    recordItem(7, 'report', 'ASB Case Review annual figures', { presenter: { name: 'Priya Shah', role: 'ASB Officer' }, deferredReason: 'due to the absence of the ASB Officer.' }),
    // Item 8, an exempt case review, is left out unless asked for, as the public record leaves it out.
    recordItem(9, 'hot_topics', 'Hot Topics', { hotTopic: 'Shoplifting in Loughborough town centre', minutes: 'Leicestershire Police raised the increase in shoplifting.' }),
    recordItem(10, 'any_other_business', 'Any other business', { minutes: 'There was no other business.' }),
    recordItem(11, 'next_meeting', 'Date of next meeting'),
  ]
  if (options.withExempt) {
    items.push(
      recordItem(8, 'report', 'Case review: Ashby Road', {
        exempt: true,
        exemptReason: 'Information about named individuals',
        minutes: 'Members discussed the case of the family at Ashby Road.',
        actions: [{ id: 'ac000000-0000-4000-8000-000000000004', text: 'Refer the Ashby Road family to the case conference', owners: ['Priya Shah (Charnwood Borough Council)'], due: '2026-12-17', status: 'open' }],
      }),
    )
  }
  return {
    body: { id: 'b0d10000-0000-4000-8000-000000000001', name: 'Charnwood Community Safety Partnership', kind: 'csp', resolutionNumbering: 'letters' },
    meeting: {
      id: 'ee000000-0000-4000-8000-000000000001',
      meetsOn: '2026-12-03',
      startsAt: '10:00',
      venue: 'Council Chamber, Southfields, Loughborough',
      status: 'held',
      version: 3,
      closedAt: '11:45',
      agendaPublishedAt: new Date('2026-11-25T09:00:00Z'),
      minutesStatus: options.minutesStatus ?? 'published',
      confirmation: null,
    },
    chair: { name: 'Councillor Jane Smith', roleLabel: 'Chair' },
    present: [
      { name: 'Tom McCabe', organisationName: 'Leicestershire Police', roleLabel: 'Inspector', note: null },
      { name: 'Councillor Jane Smith', organisationName: 'Charnwood Borough Council', roleLabel: 'Chair', note: null },
      { name: 'Helen Carter', organisationName: 'Leicestershire Fire and Rescue Service', roleLabel: null, note: 'substitute for Paul Reed' },
    ],
    inAttendance: [
      { name: 'Mark Oswin', organisationName: 'Charnwood Borough Council', roleLabel: 'Community Safety Manager', note: null },
      { name: 'Grace Wilson', organisationName: 'Violence Reduction Network', roleLabel: 'Violence Reduction Network Lead', note: null },
    ],
    apologies: [
      { name: 'Paul Reed', organisationName: 'Leicestershire Fire and Rescue Service', roleLabel: null, note: null },
      { name: 'Priya Shah', organisationName: 'Charnwood Borough Council', roleLabel: 'ASB Officer', note: null },
    ],
    declarations: [{ name: 'Helen Carter', itemNumber: 5, interest: 'her partner works for the Longhurst Group' }],
    items: items.sort((a, b) => a.number - b.number),
    withheldItemNumbers: [],
    nextMeeting: { id: 'ee000000-0000-4000-8000-000000000002', meetsOn: '2027-03-04', startsAt: '10:00', venue: 'Council Chamber, Southfields, Loughborough' },
  }
}

/** A DOCX as HTML, the way mammoth reads it: Word heading styles become h1, h2, h3 and tables stay tables. */
export async function docxHtml(content: Buffer): Promise<string> {
  const mammoth = await import('mammoth')
  return (await mammoth.convertToHtml({ buffer: content })).value
}

/** A PDF's text, page by page. */
export async function pdfPages(content: Buffer): Promise<string[]> {
  const { PDFParse } = await import('pdf-parse')
  const parser = new PDFParse({ data: new Uint8Array(content) })
  try {
    return (await parser.getText()).pages.map((page) => page.text)
  } finally {
    await parser.destroy()
  }
}

/** The text of every element with the given tag, in document order. */
export const tagTexts = (html: string, tag: string) => [...html.matchAll(new RegExp(`<${tag}>(.*?)</${tag}>`, 'gs'))].map((match) => match[1]!.replace(/<[^>]+>/g, ''))
