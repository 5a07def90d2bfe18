import type { Kysely } from 'kysely'
import type { DB } from '../../platform/db/schema.js'
import type { Actor } from '../audit/audit.events.js'
import type { AuditService } from '../audit/audit.service.js'
import { incidentsRepository } from '../incidents/incidents.repository.js'
import { locationsRepository } from '../locations/locations.repository.js'
import { type PeopleService, peopleService } from '../people/people.service.js'
import { type Found, searchRepository } from './search.repository.js'
import { SECTION_SIZE, type SearchQuery, type SearchResults } from './search.schemas.js'
import { parseTerm } from './search.terms.js'

/**
 * A section from the ways one kind of record was found (each at most SECTION_SIZE + 1 rows, best first), shown in the
 * order given without repeats. There are more when any way found more, or all of them together hold more than a section.
 */
function section<T extends { id: string }>(ordered: T[], ways: Found<T>[]) {
  const seen = new Set<string>()
  const merged = ordered.filter((row) => !seen.has(row.id) && seen.add(row.id))
  return { items: merged.slice(0, SECTION_SIZE), more: merged.length > SECTION_SIZE || ways.some((way) => way.more) }
}

const newestFirst = <T extends { occurredAt: Date; reference: string }>(a: T, b: T) => b.occurredAt.getTime() - a.occurredAt.getTime() || b.reference.localeCompare(a.reference)
const empty = { items: [], more: false }

/**
 * One search across cases, people, incidents and addresses, each section limited to what the user's organisation
 * may see (the scope rule in case-access.ts) and to its first SECTION_SIZE results. People are found by the people
 * service's own search (typo-tolerant names, date of birth), which writes its own audit row.
 */
export function searchService({ db, audit, people = peopleService({ db, audit }) }: { db: Kysely<DB>; audit: Pick<AuditService, 'record'>; people?: Pick<PeopleService, 'search'> }) {
  const repository = searchRepository(db)
  const incidents = incidentsRepository(db)
  const locations = locationsRepository(db)
  const fetch = SECTION_SIZE + 1

  return {
    async search(actor: Actor, query: SearchQuery): Promise<SearchResults> {
      const organisationId = actor.organisationId
      let results: SearchResults = { cases: empty, people: empty, incidents: empty, locations: empty, exactMatch: null }
      // Without an organisation there is nothing the user may see.
      if (organisationId) {
        const term = parseTerm(query.q)
        const [cases, found, incidentHits, addresses] = await Promise.all([
          repository.cases(organisationId, term, fetch),
          // The one audit row for this search is written below, with every section's count.
          people.search(actor, { q: term.text, ...(query.dateOfBirth ? { dateOfBirth: query.dateOfBirth } : {}) }, { audit: false }),
          incidents.search(organisationId, term, fetch),
          locations.search(organisationId, term, fetch),
        ])
        const exactMatch = cases.exact
          ? { type: 'case' as const, id: cases.exact.id, href: `/cases/${cases.exact.id}` }
          : incidentHits.exact
            ? { type: 'incident' as const, id: incidentHits.exact.id, href: `/incidents/${incidentHits.exact.id}` }
            : null
        results = {
          // Reference matches first, then title matches newest first.
          cases: section([...cases.byReference.rows, ...cases.byTitle.rows], [cases.byReference, cases.byTitle]),
          people: { items: found.slice(0, SECTION_SIZE), more: found.length > SECTION_SIZE },
          incidents: section([...incidentHits.byReference.rows, ...[...incidentHits.byDescription.rows, ...incidentHits.byLocation.rows].sort(newestFirst)], [
            incidentHits.byReference,
            incidentHits.byDescription,
            incidentHits.byLocation,
          ]),
          locations: section(addresses.rows, [addresses]),
          exactMatch,
        }
      }
      // Counts only: the search terms are personal data (names, dates of birth, addresses).
      await audit.record(actor, {
        action: 'cases.searched',
        recordType: 'search',
        details: {
          cases: results.cases.items.length,
          people: results.people.items.length,
          incidents: results.incidents.items.length,
          locations: results.locations.items.length,
          more: ['cases', 'people', 'incidents', 'locations'].filter((name) => results[name as 'cases'].more),
          dateOfBirthGiven: Boolean(query.dateOfBirth),
        },
      })
      return results
    },
  }
}

export type SearchService = ReturnType<typeof searchService>
