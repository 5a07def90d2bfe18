import { type Kysely, sql } from 'kysely'
import type { Executor } from '../../platform/db/executor.js'
import type { DB } from '../../platform/db/schema.js'
import { ConflictError, ForbiddenError, NotFoundError, RuleError } from '../../platform/http/errors.js'
import type { Actor } from '../audit/audit.events.js'
import type { AuditService } from '../audit/audit.service.js'
import { fieldChanges, recordCaseEvent, requireCase, STALE_EDIT_MESSAGE } from '../cases/case-access.js'
import { peopleRepository, type SearchFilter } from './people.repository.js'
import { DUPLICATE_MESSAGE, dateOfBirthProblem, PERSON_ROLES, type PersonInput, type PersonRole, SENSITIVE_REASON_MESSAGE } from './people.schemas.js'

export interface LikelyDuplicate {
  id: string
  givenNames: string
  familyName: string
  dateOfBirth: string | null
  address: string | null
  postcode: string | null
}

/** Thrown before saving a new person who looks like someone already recorded; the caller shows them and asks. */
export class DuplicatePersonError extends ConflictError {
  constructor(readonly duplicates: LikelyDuplicate[]) {
    super(DUPLICATE_MESSAGE)
  }
}

const EDITABLE_FIELDS = {
  givenNames: 'given_names',
  familyName: 'family_name',
  aliases: 'aliases',
  dateOfBirth: 'date_of_birth',
  phone: 'phone',
  email: 'email',
  vulnerable: 'vulnerable',
  riskToStaff: 'risk_to_staff',
} as const
/** Kept apart from the person, per recording organisation (person_sensitive_details). */
const SENSITIVE_FIELDS = ['vulnerabilities', 'protectedCharacteristics', 'sensitiveReason'] as const

export const MERGE_REFUSED_MESSAGE =
  'You can only merge records that your organisation alone holds. One of these people was recorded by another organisation, or is on another organisation’s case or incident: ask that organisation to merge them.'

type StoredPerson = NonNullable<Awaited<ReturnType<ReturnType<typeof peopleRepository>['findById']>>>
type SensitiveDetails = Awaited<ReturnType<ReturnType<typeof peopleRepository>['sensitiveDetails']>>

/** The person as the organisation may change it: the shared fields and its own sensitive details. */
function inputOf(row: StoredPerson, sensitive: SensitiveDetails): PersonInput {
  return {
    givenNames: row.given_names,
    familyName: row.family_name,
    aliases: row.aliases,
    dateOfBirth: row.date_of_birth,
    phone: row.phone,
    email: row.email,
    address: row.address ?? null,
    postcode: row.postcode ?? null,
    vulnerable: row.vulnerable,
    riskToStaff: row.risk_to_staff,
    vulnerabilities: sensitive?.vulnerabilities ?? null,
    protectedCharacteristics: sensitive?.protectedCharacteristics ?? null,
    sensitiveReason: sensitive?.reason ?? null,
  }
}

/** Rules the page schema also checks, enforced here for the API and for partial changes. */
function checkRules(person: PersonInput) {
  if (person.dateOfBirth) {
    const problem = dateOfBirthProblem(person.dateOfBirth)
    if (problem) throw new RuleError('dateOfBirth', problem)
  }
  if (person.postcode && !person.address) throw new RuleError('address', 'Enter the address as well as the postcode')
  if ((person.vulnerabilities || person.protectedCharacteristics) && !person.sensitiveReason) throw new RuleError('sensitiveReason', SENSITIVE_REASON_MESSAGE)
}

const fullNameOf = (person: { givenNames: string; familyName: string }) => `${person.givenNames} ${person.familyName}`
const sameAddress = (a: string | null, b: string | null) => (a ?? '').trim().replace(/\s+/g, ' ').toLowerCase() === (b ?? '').trim().replace(/\s+/g, ' ').toLowerCase()
const samePostcode = (a: string | null, b: string | null) => (a ?? '').replace(/\s+/g, '').toUpperCase() === (b ?? '').replace(/\s+/g, '').toUpperCase()

export function peopleService({ db, audit }: { db: Kysely<DB>; audit: Pick<AuditService, 'record'> }) {
  const people = peopleRepository(db)

  function organisationOf(actor: Actor): string {
    // Without an organisation there is nothing a user may see: not found, so nothing leaks.
    if (!actor.organisationId) throw new NotFoundError('Person not found')
    return actor.organisationId
  }

  async function requireVisible(actor: Actor, id: string, executor: Executor = db) {
    if (!(await people.isVisible(organisationOf(actor), id, executor))) throw new NotFoundError('Person not found')
  }

  /** For a person the actor sees: changeable by the actor's organisation, else 403 saying why. */
  async function requireChangeable(actor: Actor, id: string, executor: Executor = db) {
    if (!(await people.isChangeable(organisationOf(actor), id, executor))) {
      throw new ForbiddenError('Your organisation can see this person through a case shared with it, but only the organisation that recorded them, or a full contributor to their case, can change their record. Ask that organisation to make the change.')
    }
  }

  async function duplicatesOf(actor: Actor, input: PersonInput, executor: Executor, excludeId?: string) {
    const locationId = input.address ? await people.findLocation(input.address, input.postcode, executor) : null
    return people.findDuplicates(organisationOf(actor), { givenNames: input.givenNames, familyName: input.familyName, dateOfBirth: input.dateOfBirth, locationId, excludeId }, executor)
  }

  async function insertPerson(actor: Actor, input: PersonInput, confirmNotDuplicate: boolean, trx: Executor) {
    checkRules(input)
    if (!confirmNotDuplicate) {
      const duplicates = await duplicatesOf(actor, input, trx)
      if (duplicates.length) throw new DuplicatePersonError(duplicates)
    }
    const { id } = await trx
      .insertInto('people')
      .values({
        given_names: input.givenNames,
        family_name: input.familyName,
        aliases: input.aliases,
        date_of_birth: input.dateOfBirth,
        phone: input.phone,
        email: input.email,
        vulnerable: input.vulnerable,
        risk_to_staff: input.riskToStaff,
        created_by: actor.userId,
        created_by_organisation_id: actor.organisationId,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    if (input.address) await people.openAddress(id, await people.findOrCreateLocation(input.address, input.postcode, trx), trx)
    const sensitiveRecorded = Boolean(input.vulnerabilities || input.protectedCharacteristics)
    if (sensitiveRecorded) await people.saveSensitiveDetails(organisationOf(actor), id, actor.userId, { vulnerabilities: input.vulnerabilities, protectedCharacteristics: input.protectedCharacteristics, reason: input.sensitiveReason }, trx)
    await audit.record(
      actor,
      { action: 'person.created', recordType: 'person', recordId: id, details: { withAddress: Boolean(input.address), duplicateCheckConfirmed: confirmNotDuplicate, sensitiveDetailsRecorded: sensitiveRecorded } },
      trx,
    )
    return id
  }

  /** Follows merges to the person that survives. */
  async function survivorOf(id: string): Promise<string | null> {
    let current = id
    for (let hops = 0; hops < 20; hops++) {
      const row = await db.selectFrom('people').select('merged_into_id').where('id', '=', current).executeTakeFirst()
      if (!row) return null
      if (!row.merged_into_id) return current
      current = row.merged_into_id
    }
    return null
  }

  async function details(actor: Actor, id: string, executor: Executor = db) {
    const organisationId = organisationOf(actor)
    const row = await people.findById(id, executor)
    if (!row) throw new NotFoundError('Person not found')
    const [sensitive, addresses, cases, incidents, repeatVictim] = await Promise.all([
      people.sensitiveDetails(organisationId, id, executor),
      people.addressHistory(id, executor),
      people.visibleCases(organisationId, id, executor),
      people.visibleIncidents(organisationId, id, executor),
      people.isRepeatVictim(id, executor),
    ])
    return {
      id: row.id,
      givenNames: row.given_names,
      familyName: row.family_name,
      aliases: row.aliases,
      dateOfBirth: row.date_of_birth,
      phone: row.phone,
      email: row.email,
      address: row.address ?? null,
      postcode: row.postcode ?? null,
      vulnerable: row.vulnerable,
      riskToStaff: row.risk_to_staff,
      repeatVictim,
      // Only what the reader's own organisation recorded; other organisations' details are never read here.
      sensitiveVisible: Boolean(sensitive),
      vulnerabilities: sensitive?.vulnerabilities ?? null,
      protectedCharacteristics: sensitive?.protectedCharacteristics ?? null,
      sensitiveReason: sensitive?.reason ?? null,
      sensitiveRecordedBy: sensitive
        ? { organisation: sensitive.organisation, recordedBy: sensitive.recordedBy, recordedAt: sensitive.recordedAt, updatedBy: sensitive.updatedBy, updatedAt: sensitive.updatedAt }
        : null,
      version: row.version,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      addresses,
      cases,
      incidents,
    }
  }

  /** `audit: false` for a caller that writes its own row for the whole search (the search across ASB records). */
  async function search(actor: Actor, filter: SearchFilter, options: { audit?: boolean } = {}) {
    const results = await people.search(organisationOf(actor), filter)
    // The search terms are personal data: the audit row holds the count only.
    if (options.audit !== false) await audit.record(actor, { action: 'cases.searched', recordType: 'person', details: { resultCount: results.length } })
    return results
  }

  return {
    search,

    /** For a person page: where to go instead if they were merged into someone else. */
    async survivorIfMerged(actor: Actor, id: string): Promise<string | null> {
      const survivor = await survivorOf(id)
      if (!survivor || survivor === id) return null
      await requireVisible(actor, survivor)
      return survivor
    },

    /** The person page: details, address history, and the cases and incidents the user may see. Audited. */
    async view(actor: Actor, id: string, options: { page?: string } = {}) {
      await requireVisible(actor, id)
      const person = await details(actor, id)
      await audit.record(actor, { action: 'person.viewed', recordType: 'person', recordId: id, details: { ...(options.page ? { page: options.page } : {}), sensitiveDetailsShown: person.sensitiveVisible } })
      return { ...person, mayChange: await people.isChangeable(organisationOf(actor), id) }
    },

    /** Likely duplicates of someone about to be added (or of an existing person, for the merge page). */
    async likelyDuplicates(actor: Actor, input: PersonInput, excludeId?: string) {
      return duplicatesOf(actor, input, db, excludeId)
    },

    create(actor: Actor, input: PersonInput, options: { confirmNotDuplicate?: boolean } = {}) {
      organisationOf(actor)
      return db.transaction().execute((trx) => insertPerson(actor, input, options.confirmNotDuplicate ?? false, trx))
    },

    /** Saves changes if nobody else saved since `version` was read; otherwise refuses and changes nothing. */
    update(actor: Actor, id: string, changes: Partial<PersonInput>, version: number) {
      return db.transaction().execute(async (trx) => {
        await requireVisible(actor, id, trx)
        const locked = await people.lock(id, trx)
        if (!locked) throw new NotFoundError('Person not found')
        if (locked.version !== version) throw new ConflictError(STALE_EDIT_MESSAGE)
        const current = await people.findById(id, trx)
        // The sensitive fields are the organisation's own: it changes those, and never sees or touches another's.
        const before = inputOf(current!, await people.sensitiveDetails(organisationOf(actor), id, trx))
        const after: PersonInput = { ...before, ...Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) }
        if (!after.vulnerabilities && !after.protectedCharacteristics) after.sensitiveReason = null
        checkRules(after)

        const set: Record<string, unknown> = {}
        const changed = fieldChanges(before as unknown as Record<string, unknown>, after as unknown as Record<string, unknown>)
          .map((change) => change.field)
          .filter((field) => field !== 'address' && field !== 'postcode')
        for (const field of changed) {
          if (field in EDITABLE_FIELDS) set[EDITABLE_FIELDS[field as keyof typeof EDITABLE_FIELDS]] = after[field as keyof PersonInput]
        }
        const sensitiveChanged = changed.some((field) => (SENSITIVE_FIELDS as readonly string[]).includes(field))
        // An organisation records its own sensitive details about anyone it sees; the record itself is the recorder's.
        const recordChanged = changed.some((field) => !(SENSITIVE_FIELDS as readonly string[]).includes(field)) || !sameAddress(before.address, after.address) || !samePostcode(before.postcode, after.postcode)
        if (recordChanged) await requireChangeable(actor, id, trx)
        if (sensitiveChanged) {
          await people.saveSensitiveDetails(organisationOf(actor), id, actor.userId, { vulnerabilities: after.vulnerabilities, protectedCharacteristics: after.protectedCharacteristics, reason: after.sensitiveReason }, trx)
        }

        const addressChanged = !sameAddress(before.address, after.address) || !samePostcode(before.postcode, after.postcode)
        if (addressChanged) {
          // Address history: the old address ends today and the new one starts today.
          if (current!.addressRowId) await people.closeAddress(current!.addressRowId, trx)
          if (after.address) await people.openAddress(id, await people.findOrCreateLocation(after.address, after.postcode, trx), trx)
          changed.push('address')
        }
        if (changed.length === 0) return { changed }
        await trx
          .updateTable('people')
          .set({ ...set, version: sql`version + 1`, updated_at: sql`now()` })
          .where('id', '=', id)
          .execute()
        // Field names only: the values are personal data.
        await audit.record(actor, { action: 'person.updated', recordType: 'person', recordId: id, details: { fields: changed } }, trx)
        return { changed }
      })
    },

    /**
     * Merges a duplicate into the survivor: every link moves, the duplicate's names become aliases, and the duplicate
     * is kept (for the audit trail) with merged_into_id set. One transaction. Only people the organisation holds alone
     * may be merged (see heldByOthers): a merge changes both records, so it must not change what another organisation
     * sees. Sensitive details stay with the organisation that recorded them.
     */
    merge(actor: Actor, survivorId: string, duplicateId: string) {
      if (survivorId === duplicateId) throw new RuleError('duplicateId', 'Select a different person to merge into this one')
      return db.transaction().execute(async (trx) => {
        await requireVisible(actor, survivorId, trx)
        await people.lock(survivorId, trx)
        await people.lock(duplicateId, trx)
        if (!(await people.isVisible(organisationOf(actor), duplicateId, trx))) throw new RuleError('duplicateId', 'Select a person from the list')
        if ((await people.heldByOthers(organisationOf(actor), [survivorId, duplicateId], trx)).length) throw new RuleError('duplicateId', MERGE_REFUSED_MESSAGE)
        const survivor = (await trx.selectFrom('people').selectAll().where('id', '=', survivorId).executeTakeFirstOrThrow())
        const duplicate = (await trx.selectFrom('people').selectAll().where('id', '=', duplicateId).executeTakeFirstOrThrow())

        let linksMoved = 0
        // The same person on the same case in the same role twice is one link: drop the duplicate's copy.
        const clashes = await trx
          .deleteFrom('case_people')
          .where('person_id', '=', duplicateId)
          .where((eb) =>
            eb.exists(
              eb
                .selectFrom('case_people as kept')
                .select(sql`1`.as('one'))
                .whereRef('kept.case_id', '=', 'case_people.case_id')
                .whereRef('kept.role', '=', 'case_people.role')
                .where('kept.person_id', '=', survivorId),
            ),
          )
          .returning('case_id')
          .execute()
        const movedCases = await trx.updateTable('case_people').set({ person_id: survivorId }).where('person_id', '=', duplicateId).returning('case_id').execute()
        linksMoved += clashes.length + movedCases.length
        for (const [table, column] of [
          ['incidents', 'reporting_person_id'],
          ['person_addresses', 'person_id'],
          ['risk_assessments', 'person_id'],
          ['interventions', 'person_id'],
          ['callbacks', 'person_id'],
        ] as const) {
          const result = await sql`update ${sql.table(table)} set ${sql.ref(column)} = ${survivorId} where ${sql.ref(column)} = ${duplicateId}`.execute(trx)
          linksMoved += Number(result.numAffectedRows ?? 0)
        }

        const aliases: string[] = []
        const seen = new Set([`${survivor.given_names} ${survivor.family_name}`.toLowerCase()])
        for (const alias of [...survivor.aliases, `${duplicate.given_names} ${duplicate.family_name}`, ...duplicate.aliases]) {
          if (!seen.has(alias.toLowerCase())) {
            seen.add(alias.toLowerCase())
            aliases.push(alias)
          }
        }
        // The organisation's own sensitive details only (nobody else's are on either record, checked above).
        const sensitiveMoved = await people.moveSensitiveDetails(organisationOf(actor), duplicateId, survivorId, trx)
        await trx
          .updateTable('people')
          .set({
            aliases: [...new Set(aliases)],
            date_of_birth: survivor.date_of_birth ?? duplicate.date_of_birth,
            phone: survivor.phone ?? duplicate.phone,
            email: survivor.email ?? duplicate.email,
            vulnerable: survivor.vulnerable || duplicate.vulnerable,
            risk_to_staff: survivor.risk_to_staff || duplicate.risk_to_staff,
            version: sql`version + 1`,
            updated_at: sql`now()`,
          })
          .where('id', '=', survivorId)
          .execute()
        await trx.updateTable('people').set({ merged_into_id: survivorId, version: sql`version + 1`, updated_at: sql`now()` }).where('id', '=', duplicateId).execute()

        for (const caseId of new Set([...clashes, ...movedCases].map((row) => row.case_id))) {
          await recordCaseEvent(trx, actor, { caseId, kind: 'person', summary: `Duplicate record of ${fullNameOf({ givenNames: survivor.given_names, familyName: survivor.family_name })} merged` })
        }
        await audit.record(actor, { action: 'person.merged', recordType: 'person', recordId: survivorId, details: { mergedPersonId: duplicateId, survivorId, linksMoved, sensitiveDetailsMoved: sensitiveMoved } }, trx)
        return { linksMoved }
      })
    },

    /** Adds an existing person (personId) or a new one (person) to a case in a role. */
    addToCase(
      actor: Actor,
      caseId: string,
      input: { role: PersonRole; roleDetail: string | null } & ({ personId: string } | { person: PersonInput; confirmNotDuplicate?: boolean }),
    ) {
      return db.transaction().execute(async (trx) => {
        await requireCase(trx, actor, caseId, 'addPerson')
        let personId: string
        if ('personId' in input) {
          if (!(await people.isVisible(organisationOf(actor), input.personId, trx))) throw new RuleError('personId', 'Select a person from the list')
          personId = input.personId
        } else {
          personId = await insertPerson(actor, input.person, input.confirmNotDuplicate ?? false, trx)
        }
        const existing = await trx.selectFrom('case_people').select('person_id').where('case_id', '=', caseId).where('person_id', '=', personId).where('role', '=', input.role).executeTakeFirst()
        if (existing) throw new RuleError('role', `This person is already on the case as a ${PERSON_ROLES[input.role].toLowerCase()}`)
        await trx.insertInto('case_people').values({ case_id: caseId, person_id: personId, role: input.role, role_detail: input.roleDetail, added_by: actor.userId }).execute()
        const person = await trx.selectFrom('people').select(['given_names as givenNames', 'family_name as familyName']).where('id', '=', personId).executeTakeFirstOrThrow()
        const detail = input.roleDetail ? ` (${input.roleDetail})` : ''
        await recordCaseEvent(trx, actor, { caseId, kind: 'person', summary: `${PERSON_ROLES[input.role]}${detail} added: ${fullNameOf(person)}` })
        await audit.record(actor, { action: 'case.person_added', recordType: 'case', recordId: caseId, details: { personId, role: input.role } }, trx)
        return personId
      })
    },

    /** What the remove page needs: the case and the person in that role, if the actor may remove them. */
    async removeFromCaseForm(actor: Actor, caseId: string, personId: string, role: PersonRole | undefined) {
      const caseRecord = await requireCase(db, actor, caseId, 'removePerson')
      if (!role) throw new RuleError('role', 'Select their role in the case')
      const person = await people.caseLink(caseId, personId, role)
      if (!person) throw new NotFoundError('This person is not on the case in that role')
      await audit.record(actor, { action: 'case.viewed', recordType: 'case', recordId: caseId, details: { page: 'remove_person', personId, role } })
      return { caseRecord, person: { ...person, name: fullNameOf(person), roleLabel: PERSON_ROLES[role] } }
    },

    /** Takes a person off a case, with the reason on the timeline; the audit row names the person and the role. */
    removeFromCase(actor: Actor, caseId: string, personId: string, role: PersonRole, reason: string) {
      return db.transaction().execute(async (trx) => {
        await requireCase(trx, actor, caseId, 'removePerson')
        const removed = await trx.deleteFrom('case_people').where('case_id', '=', caseId).where('person_id', '=', personId).where('role', '=', role).returning('person_id').executeTakeFirst()
        if (!removed) throw new NotFoundError('This person is not on the case in that role')
        const person = await trx.selectFrom('people').select(['given_names as givenNames', 'family_name as familyName']).where('id', '=', personId).executeTakeFirstOrThrow()
        await recordCaseEvent(trx, actor, { caseId, kind: 'person', summary: `${PERSON_ROLES[role]} removed: ${fullNameOf(person)}. Reason: ${reason}` })
        await audit.record(actor, { action: 'case.person_removed', recordType: 'case', recordId: caseId, details: { personId, role } }, trx)
      })
    },

    /** The people panel on the case page. */
    async forCase(actor: Actor, caseId: string) {
      await requireCase(db, actor, caseId, 'read')
      return people.forCase(caseId)
    },
  }
}

export type PeopleService = ReturnType<typeof peopleService>
