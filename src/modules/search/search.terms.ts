import { type Expression, type SqlBool, sql } from 'kysely'
import type { Executor } from '../../platform/db/executor.js'
import { escapeLike } from '../../platform/db/like.js'

/** What one search box means, worked out once and given to each section's query. */
export interface SearchTerm {
  /** Trimmed, with runs of spaces made one. */
  text: string
  /** Lower-case words, for "every word appears" matches on titles, descriptions and addresses. */
  words: string[]
  /** Capitals without spaces, compared with references (stored in capitals). */
  reference: string
  /** Set when the term is a postcode or the start of one. */
  postcode?: PostcodeMatch
}

/**
 * A postcode match on the compact form (capitals, no spaces). `outwardLength` is set when the outward code is known
 * ("LE1" or "LE1 6"), so LE1 does not also find LE10 to LE19.
 */
export interface PostcodeMatch {
  prefix: string
  outwardLength?: number
}

const OUTWARD = /^[A-Z]{1,2}\d[A-Z\d]?$/
const INWARD_START = /^\d[A-Z]{0,2}$/
const COMPACT_START = /^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{0,2}$/

function postcodeOf(text: string): PostcodeMatch | undefined {
  const upper = text.toUpperCase()
  const parts = upper.split(' ')
  if (parts.length === 1 && OUTWARD.test(upper)) return { prefix: upper, outwardLength: upper.length }
  if (parts.length === 2 && OUTWARD.test(parts[0]!) && INWARD_START.test(parts[1]!)) return { prefix: parts.join(''), outwardLength: parts[0]!.length }
  if (parts.length === 1 && COMPACT_START.test(upper)) return { prefix: upper }
  return undefined
}

export function parseTerm(q: string): SearchTerm {
  const text = q.trim().replace(/\s+/g, ' ')
  const words = [...new Set(text.toLowerCase().split(/[\s,;]+/).map((word) => word.replace(/^[.()'"-]+|[.()'"-]+$/g, '')).filter(Boolean))]
  return { text, words, reference: text.replace(/\s+/g, '').toUpperCase(), postcode: postcodeOf(text) }
}

/** A reference typed in full or in part: `ASB-2026-123` is also tried as `ASB-2026-000123`. */
export function referenceMatch(term: SearchTerm, prefix: 'ASB' | 'INC'): { exact: string[]; startsWith: string } | undefined {
  if (!term.reference.startsWith(`${prefix}-`)) return undefined
  const exact = [term.reference]
  const short = new RegExp(`^${prefix}-(\\d{4})-(\\d{1,5})$`).exec(term.reference)
  if (short) exact.push(`${prefix}-${short[1]}-${short[2]!.padStart(6, '0')}`)
  return { exact, startsWith: term.reference }
}

/** Words shorter than this give the trigram indexes nothing to look up, so they only narrow what longer words find. */
export const INDEXED_WORD_LENGTH = 3

/**
 * Every word appears in `lower(column)`. Written as `lower(column) like '%word%'` so that a trigram index on
 * lower(column) answers it; short words use strpos, which the planner applies to the rows found, never to the index.
 * Undefined when no word is long enough to use an index: the caller skips the match rather than scan the table.
 */
export function everyWordIn(lowerColumn: Expression<string>, words: string[]): Expression<SqlBool> | undefined {
  const indexed = words.filter((word) => word.length >= INDEXED_WORD_LENGTH)
  if (indexed.length === 0) return undefined
  const short = words.filter((word) => word.length < INDEXED_WORD_LENGTH)
  const conditions = [...indexed.map((word) => sql<SqlBool>`${lowerColumn} like ${`%${escapeLike(word)}%`}`), ...short.map((word) => sql<SqlBool>`strpos(${lowerColumn}, ${word}) > 0`)]
  return sql<SqlBool>`(${sql.join(conditions, sql` and `)})`
}

/** The compact postcode, as the index locations_postcode_prefix_idx holds it. */
export const compactPostcode = (postcodeColumn: Expression<string | null>) => sql<string>`upper(replace(${postcodeColumn}, ' ', ''))`

export function postcodeMatches(postcodeColumn: Expression<string | null>, match: PostcodeMatch): Expression<SqlBool> {
  const compact = compactPostcode(postcodeColumn)
  const starts = sql<SqlBool>`${compact} like ${`${escapeLike(match.prefix)}%`}`
  // An outward code is followed by exactly three characters (the inward code).
  return match.outwardLength === undefined ? starts : sql<SqlBool>`(${starts} and length(${compact}) = ${match.outwardLength + 3})`
}

/**
 * A search reads at most this many records matching the words (newest, or first in order) before checking which the
 * user may see, so a word that half the records hold ("road") costs no more than a rarer one. When the limit is
 * reached the section says there may be more and asks for more words.
 */
export const SEARCH_CANDIDATES = 1000

/** Whether at least `count` rows of `table` match: stops reading at `count`, whatever the order of the rows. */
export async function matchesAtLeast(db: Executor, table: 'cases' | 'incidents' | 'locations', match: Expression<SqlBool>, count: number): Promise<boolean> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from (select 1 from ${sql.table(table)} where ${match} limit ${count}) matching`.execute(db)
  return (rows[0]?.n ?? 0) >= count
}

/**
 * An address matching the term: a term that is a postcode (or the start of one) matches the postcode only, as the
 * letters of a postcode in an address's words would match little else and cost a trigram scan; other terms match
 * every word of the address.
 */
export function placeMatches(term: SearchTerm, lowerAddress: Expression<string>, postcode: Expression<string | null>): Expression<SqlBool> | undefined {
  return term.postcode ? postcodeMatches(postcode, term.postcode) : everyWordIn(lowerAddress, term.words)
}
