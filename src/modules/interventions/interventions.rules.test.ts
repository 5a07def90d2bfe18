import { describe, expect, it } from 'vitest'
import { dateFromParts } from '../../platform/http/date-input.js'
import { ageOn, formatPence, ladder, parsePounds } from './interventions.rules.js'

describe('intervention rules', () => {
  it('works out age on a date, counting the birthday itself', () => {
    expect(ageOn('2010-06-15', '2026-06-14')).toBe(15)
    expect(ageOn('2010-06-15', '2026-06-15')).toBe(16)
  })

  it('shows and reads money in pounds', () => {
    expect(formatPence(10000)).toBe('£100.00')
    expect(formatPence(250050)).toBe('£2,500.50')
    expect(parsePounds('£100')).toBe(10000)
    expect(parsePounds('75.50')).toBe(7550)
    expect(parsePounds('ten')).toBeNull()
  })

  it('joins date input parts and spots dates that do not exist', () => {
    expect(dateFromParts({ 'd-day': '3', 'd-month': '2', 'd-year': '2026' }, 'd')).toBe('2026-02-03')
    expect(dateFromParts({ 'd-day': '30', 'd-month': '2', 'd-year': '2026' }, 'd')).toBe('invalid')
    expect(dateFromParts({}, 'd')).toBe('')
  })

  it('places a person on the ladder at their highest stage, ignoring withdrawn interventions', () => {
    const result = ladder([
      { stageOrder: 1, status: 'complied' },
      { stageOrder: 2, status: 'active' },
      { stageOrder: 3, status: 'withdrawn' },
    ])
    expect(result.highestStage).toBe('second')
    expect(result.stages.map((stage) => stage.state)).toEqual(['reached', 'current', 'not_reached', 'not_reached'])
    expect(ladder([]).highestStage).toBeNull()
    // A stage the case skipped is not shown as reached.
    expect(ladder([{ stageOrder: 3, status: 'active' }]).stages.map((stage) => stage.state)).toEqual(['not_reached', 'not_reached', 'current', 'not_reached'])
  })
})
