import { describe, expect, it } from 'vitest'
import { errorKind, errorKindText } from './logging.js'

describe('errors as logs record them', () => {
  it('keeps the name and code and never the message, which can quote a name from a row', () => {
    const error = Object.assign(new Error('duplicate key (name)=(Jane Smith)'), { code: '23505' })
    expect(errorKind(error)).toEqual({ error: 'Error', code: '23505' })
    expect(errorKindText(error)).toBe('Error 23505')
    expect(JSON.stringify(errorKind(error))).not.toContain('Jane')
  })

  it('names what was thrown when it is not an error', () => {
    expect(errorKind('Jane Smith')).toEqual({ error: 'string', code: undefined })
    expect(errorKind(undefined)).toEqual({ error: 'undefined', code: undefined })
    expect(errorKindText(new TypeError('x'))).toBe('TypeError')
  })
})
