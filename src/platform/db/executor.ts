import type { Kysely, Transaction } from 'kysely'
import type { DB } from './schema.js'

/** Repository functions take this, so a service can run several of them in one transaction. */
export type Executor = Kysely<DB> | Transaction<DB>
