import { randomBytes } from 'node:crypto'
import { inflateRawSync } from 'node:zlib'
import type { Kysely } from 'kysely'
import type { DB } from '../../platform/db/schema.js'

const unique = () => randomBytes(3).toString('hex')

/** Bodies, members, contacts, meetings and items written straight to the database, for arranging action tests. */
export function governanceFixtures(db: Kysely<DB>) {
  return {
    body(options: { createdBy: string; visibility?: 'open' | 'closed'; reminderDaysBefore?: number; name?: string }) {
      return db
        .insertInto('bodies')
        .values({ name: options.name ?? `Test body ${unique()}`, kind: 'jag', visibility: options.visibility ?? 'open', reminder_days_before: options.reminderDaysBefore ?? 7, created_by: options.createdBy })
        .returning(['id', 'name'])
        .executeTakeFirstOrThrow()
    },

    member(bodyId: string, who: { userId?: string; contactId?: string }, options: { role?: 'chair' | 'member' | 'clerk' | 'officer'; createdBy: string; fromDate?: string }) {
      return db
        .insertInto('body_members')
        .values({ body_id: bodyId, user_id: who.userId ?? null, contact_id: who.contactId ?? null, role: options.role ?? 'member', from_date: options.fromDate ?? '2000-01-01', created_by: options.createdBy })
        .returning('id')
        .executeTakeFirstOrThrow()
    },

    contact(options: { createdBy: string; name?: string; email?: string | null; organisationName?: string }) {
      return db
        .insertInto('governance_contacts')
        .values({ name: options.name ?? `Contact ${unique()}`, email: options.email === undefined ? `contact-${unique()}@charity.example.org` : options.email, organisation_name: options.organisationName ?? 'Voluntary Action', created_by: options.createdBy })
        .returning(['id', 'name', 'email'])
        .executeTakeFirstOrThrow()
    },

    meeting(bodyId: string, options: { meetsOn: string; createdBy: string; startsAt?: string }) {
      return db
        .insertInto('meetings')
        .values({ body_id: bodyId, meets_on: options.meetsOn, starts_at: options.startsAt ?? '10:00', venue: 'Council Chamber', created_by: options.createdBy })
        .returning(['id', 'meets_on as meetsOn'])
        .executeTakeFirstOrThrow()
    },

    item(meeting: { id: string }, bodyId: string, options: { position: number; createdBy: string; title?: string }) {
      return db
        .insertInto('agenda_items')
        .values({ body_id: bodyId, meeting_id: meeting.id, position: options.position, kind: 'report', title: options.title ?? `Report ${unique()}`, created_by: options.createdBy })
        .returning(['id', 'position'])
        .executeTakeFirstOrThrow()
    },
  }
}

/** The files of a ZIP (an XLSX or DOCX), read with node's own inflate: enough to check what a spreadsheet holds. */
export function unzip(zip: Buffer): Map<string, string> {
  const files = new Map<string, string>()
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  const count = zip.readUInt16LE(end + 10)
  let offset = zip.readUInt32LE(end + 16)
  for (let index = 0; index < count; index++) {
    const method = zip.readUInt16LE(offset + 10)
    const compressedSize = zip.readUInt32LE(offset + 20)
    const nameLength = zip.readUInt16LE(offset + 28)
    const extraLength = zip.readUInt16LE(offset + 30)
    const commentLength = zip.readUInt16LE(offset + 32)
    const localOffset = zip.readUInt32LE(offset + 42)
    const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength)
    const dataStart = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28)
    const data = zip.subarray(dataStart, dataStart + compressedSize)
    files.set(name, (method === 8 ? inflateRawSync(data) : data).toString('utf8'))
    offset += 46 + nameLength + extraLength + commentLength
  }
  return files
}

/** RFC 4180 CSV into rows of cells (quotes, doubled quotes, commas and line breaks inside quotes). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        cell += '"'
        index++
      } else if (char === '"') quoted = false
      else cell += char
    } else if (char === '"') quoted = true
    else if (char === ',') {
      row.push(cell)
      cell = ''
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[index + 1] === '\n') index++
      row.push(cell)
      rows.push(row)
      row = []
      cell = ''
    } else cell += char
  }
  if (cell || row.length) rows.push([...row, cell])
  return rows
}
