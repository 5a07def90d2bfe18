import { describe, expect, it } from 'vitest'
import { addMonths, comparisonOf, MONTH_PATTERN, monthsBetween, partOf, periodOf } from './periods.js'

describe('reporting periods', () => {
  it('a month, and the same month a year earlier or the month before', () => {
    const january = periodOf('month', '2019-01')
    expect(january).toMatchObject({ from: '2019-01', to: '2019-01', label: 'January 2019', months: 1 })
    expect(comparisonOf(january, 'last_year')).toMatchObject({ from: '2018-01', to: '2018-01', label: 'January 2018' })
    expect(comparisonOf(january, 'previous')).toMatchObject({ from: '2018-12', to: '2018-12', label: 'December 2018' })
  })

  it('financial quarters run April to June, July to September, October to December and January to March', () => {
    expect(periodOf('quarter', '2018-11')).toMatchObject({ from: '2018-10', to: '2018-12', label: 'Quarter 3 2018/19 (October 2018 to December 2018)' })
    expect(periodOf('quarter', '2019-02')).toMatchObject({ from: '2019-01', to: '2019-03', label: 'Quarter 4 2018/19 (January 2019 to March 2019)' })
    expect(periodOf('quarter', '2019-04')).toMatchObject({ from: '2019-04', to: '2019-06', label: 'Quarter 1 2019/20 (April 2019 to June 2019)' })
    expect(comparisonOf(periodOf('quarter', '2018-11'), 'last_year')).toMatchObject({ from: '2017-10', to: '2017-12', label: 'Quarter 3 2017/18 (October 2017 to December 2017)' })
    expect(comparisonOf(periodOf('quarter', '2018-11'), 'previous')).toMatchObject({ from: '2018-07', to: '2018-09' })
  })

  it('the financial year and the year to date start in April', () => {
    expect(periodOf('year', '2019-02')).toMatchObject({ from: '2018-04', to: '2019-03', months: 12, label: '2018/19 (April 2018 to March 2019)' })
    expect(periodOf('year', '2019-04')).toMatchObject({ from: '2019-04', to: '2020-03' })
    expect(periodOf('ytd', '2019-02')).toMatchObject({ from: '2018-04', to: '2019-02', months: 11, label: '2018/19 to date (April 2018 to February 2019)' })
    expect(periodOf('ytd', '2018-04')).toMatchObject({ from: '2018-04', to: '2018-04', months: 1 })
    expect(comparisonOf(periodOf('ytd', '2019-02'), 'last_year')).toMatchObject({ from: '2017-04', to: '2018-02' })
    expect(periodOf('year', '2099-12').label).toBe('2099/00 (April 2099 to March 2100)')
  })

  it('a custom range is checked: both months, in order, at most ten years', () => {
    expect(periodOf('custom', '', { from: '2018-10', to: '2019-01' })).toMatchObject({ months: 4, label: 'October 2018 to January 2019' })
    expect(comparisonOf(periodOf('custom', '', { from: '2018-10', to: '2019-01' }), 'previous')).toMatchObject({ from: '2018-06', to: '2018-09' })
    expect(() => periodOf('custom', '', { to: '2019-01' })).toThrow('Enter the first month of the range')
    expect(() => periodOf('custom', '', { from: '2019-02', to: '2019-01' })).toThrow('The last month must be the same as or after the first month')
    expect(() => periodOf('custom', '', { from: '2000-01', to: '2019-01' })).toThrow('A range can be at most ten years')
  })

  it('a range of more than 12 months is not compared with a year earlier, which would count its months twice', () => {
    const twoYears = periodOf('custom', '', { from: '2018-01', to: '2019-12' })
    expect(() => comparisonOf(twoYears, 'last_year')).toThrow('A range of more than 12 months overlaps the same period a year earlier')
    expect(comparisonOf(twoYears, 'previous')).toMatchObject({ from: '2016-01', to: '2017-12' })
    expect(comparisonOf(periodOf('custom', '', { from: '2018-01', to: '2018-12' }), 'last_year')).toMatchObject({ from: '2017-01', to: '2017-12' })
  })

  it('some months of a period are labelled as such, and compared with the same months', () => {
    const quarter = periodOf('quarter', '2019-02')
    const loaded = partOf(quarter, '2019-01', '2019-02', 'the months loaded of')
    expect(loaded).toMatchObject({ kind: 'quarter', from: '2019-01', to: '2019-02', months: 2, label: 'January 2019 to February 2019, the months loaded of Quarter 4 2018/19' })
    expect(comparisonOf(quarter, 'last_year', loaded)).toMatchObject({ from: '2018-01', to: '2018-02', label: 'January 2018 to February 2018, the same months of Quarter 4 2017/18' })
    // The quarter before is October to December 2018: its first two months.
    expect(comparisonOf(quarter, 'previous', loaded)).toMatchObject({ from: '2018-10', to: '2018-11', label: 'October 2018 to November 2018, the same months of October 2018 to December 2018' })
  })

  it('a month is a year 2000 to 2099: a year such as 0005 is refused rather than counted back into nonsense', () => {
    expect(MONTH_PATTERN.test('2019-01')).toBe(true)
    for (const slip of ['0000-05', '0999-05', '1999-12', '2019-13', '2019-00', '2019-1', '21019-01']) expect(MONTH_PATTERN.test(slip), slip).toBe(false)
    expect(addMonths('2000-01', -1)).toBe('1999-12')
    expect(addMonths('2000-01', -120)).toBe('1990-01')
  })

  it('month arithmetic crosses years', () => {
    expect(addMonths('2019-01', -1)).toBe('2018-12')
    expect(addMonths('2018-12', 1)).toBe('2019-01')
    expect(addMonths('2019-03', -59)).toBe('2014-04')
    expect(monthsBetween('2018-11', '2019-02')).toEqual(['2018-11', '2018-12', '2019-01', '2019-02'])
  })
})
