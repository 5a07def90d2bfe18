import { expect } from 'vitest'

/** Each expected piece appears in the text, in this order (a document's reading order). */
export function expectInOrder(text: string, pieces: readonly string[]) {
  let from = 0
  for (const expected of pieces) {
    const at = text.indexOf(expected, from)
    expect(at, expected).toBeGreaterThanOrEqual(from)
    from = at + expected.length
  }
}
