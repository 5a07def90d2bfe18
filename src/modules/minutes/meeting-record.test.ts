import { describe, expect, it } from 'vitest'
import { recordItem } from './meeting-record.fixtures.js'
import { type RecordItem, minutesOrder, resolutionLabel } from './meeting-record.js'

const item = (number: number, takenBeforeNumber: number | null = null) => recordItem(number, 'report', `Item ${number}`, { id: `item-${number}`, takenBeforeNumber })

const summary = (items: RecordItem[]) => minutesOrder(items).map((entry) => (entry.type === 'item' ? `${entry.minuteNumber}:${entry.item.number}` : `note ${entry.item.number} ${entry.when} (minute ${entry.minuteNumber})`))

describe('minutesOrder', () => {
  it('keeps agenda order when nothing was taken out of order', () => {
    expect(summary([item(1), item(2), item(3)])).toEqual(['1:1', '2:2', '3:3'])
  })

  it('puts an item taken early before the item it was taken before, and notes it at its own place', () => {
    expect(summary([item(1), item(2), item(3), item(4, 2), item(5)])).toEqual(['1:1', '2:4', '3:2', '4:3', 'note 4 earlier (minute 2)', '5:5'])
  })

  it('notes an item taken later as considered later', () => {
    expect(summary([item(1), item(2, 4), item(3), item(4), item(5)])).toEqual(['1:1', 'note 2 later (minute 3)', '2:3', '3:2', '4:4', '5:5'])
  })

  it('keeps every item when variances point at each other', () => {
    const entries = minutesOrder([item(1), item(2, 3), item(3, 2)]).filter((entry) => entry.type === 'item')
    expect(entries.map((entry) => entry.item.number).sort()).toEqual([1, 2, 3])
  })
})

describe('resolutionLabel', () => {
  it('letters (a), (b) ... (z), (aa) and numbers 1., 2.', () => {
    expect([1, 2, 26, 27].map((n) => resolutionLabel(n, 'letters'))).toEqual(['(a)', '(b)', '(z)', '(aa)'])
    expect(resolutionLabel(3, 'numbers')).toBe('3.')
  })
})
