import { describe, expect, it } from 'vitest'
import { PASSWORD_HASHING, hashPassword, passwordProblem, useTestPasswordHashing, verifyPassword } from './passwords.js'

describe('password rules (NCSC: length over complexity, block the guessable)', () => {
  it('accepts a long passphrase without any complexity rules', () => {
    expect(passwordProblem('marble otter lantern')).toBeNull()
    expect(passwordProblem('all lower case words here')).toBeNull()
  })

  it('refuses passwords under 12 characters', () => {
    expect(passwordProblem('Sh0rt!pass')).toMatch(/12 characters or more/)
  })

  it('refuses passwords over 256 characters', () => {
    expect(passwordProblem('a long word '.repeat(30))).toMatch(/256 characters or fewer/)
  })

  it('refuses common passwords, ignoring case and punctuation', () => {
    expect(passwordProblem('password1234')).toMatch(/too common/)
    expect(passwordProblem('Qwerty123456')).toMatch(/too common/)
    expect(passwordProblem('leave me alone')).toMatch(/too common/)
    expect(passwordProblem('aaaaaaaaaaaaaa')).toMatch(/too common/)
  })

  it("refuses the service's own words and famous example passphrases", () => {
    expect(passwordProblem('Leicestershire2026')).toMatch(/must not contain/)
    expect(passwordProblem('Safer Communities 1')).toMatch(/must not contain/)
    expect(passwordProblem('correct horse battery staple')).toMatch(/must not contain/)
  })

  it("refuses a password containing the person's name or email address", () => {
    expect(passwordProblem('jo.bloggs-is-great', { email: 'jo.bloggs@example.org' })).toMatch(/must not contain/)
    expect(passwordProblem('my name is priya patel', { name: 'Priya Patel' })).toMatch(/must not contain/)
  })

  it('hashes with argon2id at 64 MiB, 3 passes and 4 lanes, and verifies only the right password', async () => {
    // The suite hashes cheaply (test/helpers/setup.ts); the service's own parameters are checked here, once.
    const hash = await hashPassword('marble otter lantern', PASSWORD_HASHING)
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=65536,t=3,p=4\$/)
    expect(await verifyPassword(hash, 'marble otter lantern')).toBe(true)
    expect(await verifyPassword(hash, 'marble otter lanterns')).toBe(false)
    expect(await verifyPassword('not a hash', 'anything')).toBe(false)
  })

  it('hashes cheaply only under test, and a cheap hash still verifies', async () => {
    const cheap = await hashPassword('marble otter lantern')
    expect(cheap).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/)
    expect(await verifyPassword(cheap, 'marble otter lantern')).toBe(true)
    const environment = process.env.NODE_ENV
    process.env.NODE_ENV = 'production'
    try {
      expect(() => useTestPasswordHashing()).toThrow(/test suite only/)
    } finally {
      process.env.NODE_ENV = environment
    }
  })
})
