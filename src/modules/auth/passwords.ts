import { dictionary } from '@zxcvbn-ts/language-common'
import argon2 from 'argon2'

export const PASSWORD_MIN_LENGTH = 12
export const PASSWORD_MAX_LENGTH = 256

// NCSC guidance: length over complexity, and block passwords that attackers try first.
const commonPasswords = new Set((dictionary['passwords-common'] as string[]).map((word) => word.toLowerCase()))
// This service's own words, and passphrases made famous as examples.
const guessableWords = new Set(['safercommunities', 'password', 'leicestershire', 'leicester', 'rutland', 'correcthorsebatterystaple'])

interface HashingParameters {
  type: typeof argon2.argon2id
  memoryCost: number
  timeCost: number
  parallelism: number
}

/** Argon2id at 64 MiB, 3 passes, 4 lanes: above OWASP's minimum for argon2id. Each hash carries its own parameters. */
export const PASSWORD_HASHING: HashingParameters = { type: argon2.argon2id, memoryCost: 65_536, timeCost: 3, parallelism: 4 }
/** Near the smallest argon2id allows: for the test suite, where hundreds of sign-ins would each pay the real cost. */
const TEST_PASSWORD_HASHING: HashingParameters = { type: argon2.argon2id, memoryCost: 1024, timeCost: 1, parallelism: 1 }

let hashing = PASSWORD_HASHING

/** Called by the test suite's setup only; refused anywhere else, so a deployment can never hash cheaply. */
export function useTestPasswordHashing(): void {
  if (process.env.NODE_ENV !== 'test') throw new Error('Cheap password hashing is for the test suite only (NODE_ENV=test)')
  hashing = TEST_PASSWORD_HASHING
}

export function hashPassword(password: string, parameters: HashingParameters = hashing): Promise<string> {
  return argon2.hash(password, parameters)
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password)
  } catch {
    return false
  }
}

// A real hash of a random string, verified against when the email is unknown so timing does not reveal accounts.
let decoyHash: Promise<string> | undefined
export async function verifyAgainstDecoy(password: string): Promise<false> {
  decoyHash ??= hashPassword(`decoy-${Math.random()}`)
  await verifyPassword(await decoyHash, password)
  return false
}

/** Returns a message for the person choosing the password, or null when it is acceptable. */
export function passwordProblem(password: string, about: { email?: string; name?: string } = {}): string | null {
  if (password.length < PASSWORD_MIN_LENGTH) {
    return `Password must be ${PASSWORD_MIN_LENGTH} characters or more. Three random words work well`
  }
  if (password.length > PASSWORD_MAX_LENGTH) return `Password must be ${PASSWORD_MAX_LENGTH} characters or fewer`
  const lower = password.toLowerCase()
  const squashed = lower.replace(/[^a-z0-9]/g, '')
  if (commonPasswords.has(lower) || commonPasswords.has(squashed) || /^(.)\1+$/.test(password)) {
    return 'Password is too common. Choose one that is harder to guess, such as three random words'
  }
  const personal = [about.email?.toLowerCase(), about.email?.split('@')[0]?.toLowerCase(), about.name?.toLowerCase()]
  if (personal.some((word) => word && word.length >= 4 && lower.includes(word)) || guessableWords.has(squashed.replace(/\d+$/, ''))) {
    return 'Password must not contain your name, your email address or the name of this service'
  }
  return null
}
