import { randomInt } from 'node:crypto'
import { Secret, TOTP } from 'otpauth'
import QRCode from 'qrcode'

const ISSUER = 'Safer Communities'
const PERIOD = 30
export const RECOVERY_CODE_COUNT = 10

function totp(secret: string, label = '') {
  return new TOTP({ issuer: ISSUER, label, secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: PERIOD })
}

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32
}

/** The otpauth:// address an authenticator app reads from the QR code, and the QR code as a data URL. */
export async function enrolment(secret: string, email: string) {
  const uri = totp(secret, email).toString()
  return { uri, qrCode: await QRCode.toDataURL(uri, { margin: 1, width: 240 }) }
}

/** The time step of a code that is right now (one step either side for clock drift), or null. */
export function acceptedStep(secret: string, code: string, now = Date.now()): number | null {
  const token = code.replace(/\s+/g, '')
  if (!/^\d{6}$/.test(token)) return null
  const delta = totp(secret).validate({ token, timestamp: now, window: 1 })
  return delta === null ? null : TOTP.counter({ period: PERIOD, timestamp: now }) + delta
}

/** For tests and the demonstration: the code an authenticator app would show. */
export function currentCode(secret: string, now = Date.now()): string {
  return totp(secret).generate({ timestamp: now })
}

/** Ten codes like "k7q2m-x9d4p": easy to type, 49 random bits each. */
export function newRecoveryCodes(): string[] {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789'
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = Array.from({ length: 10 }, () => alphabet[randomInt(alphabet.length)]).join('')
    return `${chars.slice(0, 5)}-${chars.slice(5)}`
  })
}

/** Recovery codes are compared without case, spaces or the hyphen. */
export function normaliseRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]+/g, '')
}

export function looksLikeRecoveryCode(code: string): boolean {
  return /^[a-z0-9]{10}$/.test(normaliseRecoveryCode(code)) && !/^\d+$/.test(normaliseRecoveryCode(code))
}
