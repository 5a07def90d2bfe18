import { describe, expect, it } from 'vitest'
import { checkAnswerCodes, describeChange, scoreAnswers } from './risk.scoring.js'

const questions = [
  { code: 'a', weight: 5, highOnYes: false },
  { code: 'b', weight: 4, highOnYes: false },
  { code: 'c', weight: 10, highOnYes: false },
  { code: 'harm', weight: 0, highOnYes: true },
]
const thresholds = { mediumThreshold: 9, highThreshold: 19 }
const answers = (yes: string[]) => Object.fromEntries(questions.map((question) => [question.code, yes.includes(question.code)]))

describe('scoreAnswers', () => {
  it('adds the weights of the questions answered yes only', () => {
    expect(scoreAnswers(questions, thresholds, answers(['a', 'c'])).score).toBe(15)
    expect(scoreAnswers(questions, thresholds, answers([]))).toEqual({ score: 0, level: 'standard' })
  })

  it('is standard just below the medium threshold and medium at it', () => {
    expect(scoreAnswers(questions, { mediumThreshold: 10, highThreshold: 19 }, answers(['a', 'b']))).toEqual({ score: 9, level: 'standard' })
    expect(scoreAnswers(questions, thresholds, answers(['a', 'b']))).toEqual({ score: 9, level: 'medium' })
  })

  it('is medium just below the high threshold and high at it', () => {
    expect(scoreAnswers(questions, { mediumThreshold: 9, highThreshold: 20 }, answers(['a', 'b', 'c']))).toEqual({ score: 19, level: 'medium' })
    expect(scoreAnswers(questions, thresholds, answers(['a', 'b', 'c']))).toEqual({ score: 19, level: 'high' })
  })

  it('is high whatever the score when a high_on_yes question is answered yes', () => {
    expect(scoreAnswers(questions, thresholds, answers(['harm']))).toEqual({ score: 0, level: 'high' })
  })

  it('ignores answers to codes the questionnaire does not have', () => {
    expect(scoreAnswers(questions, thresholds, { ...answers([]), other: true }).score).toBe(0)
  })
})

describe('checkAnswerCodes', () => {
  it('names the missing and the unknown codes', () => {
    expect(checkAnswerCodes(questions, { a: true, b: false, extra: true })).toEqual({ missing: ['c', 'harm'], unknown: ['extra'] })
    expect(checkAnswerCodes(questions, answers([]))).toEqual({ missing: [], unknown: [] })
  })
})

describe('describeChange', () => {
  it('says what changed since the previous assessment', () => {
    expect(describeChange('medium', 'high')).toBe('was medium, now high')
    expect(describeChange('high', 'high')).toBe('No change: still high')
    expect(describeChange(null, 'standard')).toBe('First assessment of this person on this case')
  })
})
