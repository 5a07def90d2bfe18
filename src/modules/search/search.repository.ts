import { type Expression, type SqlBool, sql } from 'kysely'
import type { Executor } from '../../platform/db/executor.js'
import { escapeLike } from '../../platform/db/like.js'
import { caseRowVisibleTo } from '../cases/case-access.js'
import { everyWordIn, matchesAtLeast, referenceMatch, SEARCH_CANDIDATES, type SearchTerm } from './search.terms.js'

/** Rows found one way, best first, and whether there may be more than were read. */
export interface Found<T> {
  rows: T[]
  more: boolean
}

/**
 * Case search. (The case list's own filter counts every match, which a search across 300,000 cases must not.)
 * Each way of matching reads at most SEARCH_CANDIDATES cases through an index, then keeps those the user may see.
 */
export function searchRepository(db: Executor) {
  async function casesMatching(organisationId: string, match: Expression<SqlBool>, order: 'reference' | 'newest', limit: number, exact: string[] = []) {
    // Exact reference first, then in reference order; or newest first.
    const [first, second] =
      order === 'reference' ? [sql`cases.reference in (${sql.join(exact.length ? exact : [''])}) desc`, sql`cases.reference`] : [sql`cases.opened_at desc`, sql`cases.reference desc`]
    const candidates = db
      .selectFrom('cases')
      .select('cases.id')
      .where(match)
      .orderBy(first).orderBy(second)
      .limit(SEARCH_CANDIDATES)
    const rows = await db
      .selectFrom('cases')
      .innerJoin('organisations as owner', 'owner.id', 'cases.owning_organisation_id')
      .select(['cases.id', 'cases.reference', 'cases.title', 'cases.type', 'cases.status', 'cases.opened_at as openedAt', 'owner.name as owningOrganisationName'])
      .where('cases.id', 'in', candidates)
      .where(caseRowVisibleTo(organisationId))
      .orderBy(first).orderBy(second)
      .limit(limit)
      .execute()
    return { rows, more: rows.length >= limit || (await matchesAtLeast(db, 'cases', match, SEARCH_CANDIDATES)) }
  }

  return {
    /**
     * Cases by reference (exact, or its start: cases_reference_pattern_idx) and by words of the title
     * (cases_title_trgm). At most `limit` of each; the caller merges them.
     */
    async cases(organisationId: string, term: SearchTerm, limit: number) {
      const reference = referenceMatch(term, 'ASB')
      const titleWords = everyWordIn(sql<string>`lower(cases.title)`, term.words)
      const none = { rows: [], more: false }
      const [byReference, byTitle] = await Promise.all([
        reference
          ? casesMatching(organisationId, sql<SqlBool>`(cases.reference in (${sql.join(reference.exact)}) or cases.reference like ${`${escapeLike(reference.startsWith)}%`})`, 'reference', limit, reference.exact)
          : none,
        titleWords ? casesMatching(organisationId, titleWords, 'newest', limit) : none,
      ])
      return { byReference, byTitle, exact: reference ? byReference.rows.find((row) => reference.exact.includes(row.reference)) : undefined }
    },
  }
}

export type CaseHit = Awaited<ReturnType<ReturnType<typeof searchRepository>['cases']>>['byTitle']['rows'][number]
