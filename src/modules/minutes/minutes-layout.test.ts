import { describe, expect, it } from 'vitest'
import type { MeetingRecord } from './meeting-record.js'
import { meetingRecordFixture } from './meeting-record.fixtures.js'
import { listJoin } from '../../platform/words.js'
import { type Block, clockTime, meetingDate, minutesLayout } from './minutes-layout.js'

const texts = (blocks: Block[]) => blocks.map((block) => ('text' in block ? block.text : block.type))

describe('minutes wording', () => {
  it('prints dates and times as council minutes do', () => {
    expect(meetingDate('2026-12-03')).toBe('Thursday, 3 December 2026')
    expect(meetingDate('2027-03-04')).toBe('Thursday, 4 March 2027')
    expect(['10:00', '09:30:00', '12:00', '14:05', '00:15'].map(clockTime)).toEqual(['10.00 am', '9.30 am', '12.00 pm', '2.05 pm', '12.15 am'])
    expect([[], ['A'], ['A', 'B'], ['A', 'B', 'C']].map(listJoin)).toEqual(['', 'A', 'A and B', 'A, B and C'])
  })

  it('says "held via" for an online meeting, and does not write "the The ..."', () => {
    const record = meetingRecordFixture()
    record.meeting.venue = 'Microsoft Teams'
    record.body.name = 'The Safer Rutland Partnership'
    const [title, held] = texts(minutesLayout(record).blocks)
    expect(title).toBe('Minutes of a meeting of The Safer Rutland Partnership')
    expect(held).toBe('held via Microsoft Teams on Thursday, 3 December 2026 at 10.00 am')
  })

  it('writes the apologies item from the attendance when the clerk wrote nothing', () => {
    const blocks = texts(minutesLayout({ ...meetingRecordFixture(), apologies: [] }).blocks)
    expect(blocks[blocks.indexOf('1. Apologies') + 1]).toBe('There were no apologies for absence.')
  })

  it('prints a chair first only when recorded as present', () => {
    const asRecorded = ['Tom McCabe, Inspector — Leicestershire Police', 'Councillor Jane Smith, Chair — Charnwood Borough Council', 'Helen Carter (substitute for Paul Reed) — Leicestershire Fire and Rescue Service']
    const present = (record: MeetingRecord) => minutesLayout(record).blocks.find((block) => block.type === 'people')
    expect(present({ ...meetingRecordFixture(), chair: null })).toEqual({ type: 'people', people: asRecorded })
    expect(present({ ...meetingRecordFixture(), chair: { name: 'Councillor Ann Absent', roleLabel: 'Chair' } })).toEqual({ type: 'people', people: asRecorded })
    expect(present({ ...meetingRecordFixture(), chair: { name: 'Helen Carter', roleLabel: 'Vice-Chair, in the Chair' } })).toEqual({
      type: 'people',
      people: ['Helen Carter (Vice-Chair, in the Chair) (substitute for Paul Reed) — Leicestershire Fire and Rescue Service', asRecorded[0], asRecorded[1]],
    })
  })

  it('keeps minute numbers of the full record when an exempt item is withheld, and an item taken before it still reads correctly', () => {
    const record = meetingRecordFixture()
    // Hot Topics (item 9) was taken before the exempt item 8, which this copy leaves out.
    record.items = record.items.map((item) => (item.number === 9 ? { ...item, takenBeforeNumber: 8 } : item))
    const blocks = texts(minutesLayout(record, { withheldNumbers: [8] }).blocks)
    const from = blocks.indexOf('7. ASB Case Review annual figures')
    expect(blocks.slice(from, blocks.indexOf('10. Any other business'))).toEqual([
      '7. ASB Case Review annual figures',
      'This item was deferred until the next meeting: due to the absence of the ASB Officer.',
      '8. Hot Topics',
      'Topic raised: Shoplifting in Loughborough town centre.',
      'Leicestershire Police raised the increase in shoplifting.',
      '9. Exempt item',
      'This item contains exempt information. Its minute is not published.',
      'Agenda Item 9, Hot Topics, was considered earlier in the meeting (see minute 8).',
    ])
  })
})
