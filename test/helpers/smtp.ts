import type { AddressInfo } from 'node:net'
import { type ParsedMail, simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'

export interface ReceivedEmail {
  from: string
  to: string[]
  subject: string
  text: string
  html: string | undefined
}

/** A local SMTP server for tests: accepts every message and keeps it, parsed, for assertions. */
export async function startTestSmtpServer() {
  const received: ReceivedEmail[] = []
  const waiting: (() => void)[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail: ParsedMail) => {
          const addresses = [mail.to ?? []].flat().flatMap((group) => group.value.map((entry) => entry.address ?? ''))
          received.push({ from: mail.from?.text ?? '', to: addresses, subject: mail.subject ?? '', text: mail.text ?? '', html: typeof mail.html === 'string' ? mail.html : undefined })
          for (const wake of waiting.splice(0)) wake()
          callback()
        })
        .catch((error: Error) => callback(error))
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.server.address() as AddressInfo).port
  return {
    port,
    received,
    /** The settings for Config.mail that send to this server. */
    mailConfig: { from: 'Safer Communities <noreply@test.example.org>', smtp: { host: '127.0.0.1', port, secure: false } },
    /** Resolves when at least `count` messages have arrived (the send itself is awaited by the code under test, so this rarely waits). */
    async waitFor(count: number, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} emails, received ${received.length}`)
        await new Promise<void>((resolve) => {
          waiting.push(resolve)
          setTimeout(resolve, 100)
        })
      }
      return received
    },
    clear() {
      received.length = 0
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

export type TestSmtpServer = Awaited<ReturnType<typeof startTestSmtpServer>>
