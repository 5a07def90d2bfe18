import type { DatabaseTarget, Environment } from '../../config.js'
import { type Database, openDatabase } from './database.js'
import { migrate, migrateOnStart } from './migrate.js'

/** Tables the app's role may read and add to, never change: the audit log and the end of its hash chain. */
const APPEND_ONLY = ['audit_events']
const READ_ONLY = ['audit_chain_head', 'schema_migrations']

export class AppRoleError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'AppRoleError'
  }
}

/** The role name and password in DATABASE_APP_URL. */
function roleOf(appUrl: string): { name: string; password: string } {
  const url = new URL(appUrl)
  const name = decodeURIComponent(url.username)
  if (!name) throw new AppRoleError('DATABASE_APP_URL must name the app’s role, as in postgres://safercommunities_app:password@dbhost/db')
  return { name, password: decodeURIComponent(url.password) }
}

/**
 * Creates the app's database role if it does not exist, and grants it what the app needs and no more: reading and
 * changing rows, only reading and adding audit rows, owning nothing. Without ownership it cannot disable a trigger or
 * alter a table; session_replication_role is for superusers. Run as the owner after each migration (new tables).
 */
export async function grantAppRole(database: Database, appUrl: string): Promise<string> {
  if (database.kind !== 'postgres') throw new AppRoleError('The app’s own role is for a PostgreSQL server; the embedded database has one role.')
  const role = roleOf(appUrl)
  await database.scriptTransaction(async (tx) => {
    const ident = async (template: string, ...values: string[]) =>
      (await tx.query<{ statement: string }>(`select format($1, ${values.map((_, i) => `$${i + 2}::text`).join(', ')}) as statement`, [template, ...values]))[0]!.statement
    const [existing] = await tx.query<{ super: boolean; owner: boolean; member: boolean }>(
      `select rolsuper as super, rolname = current_user as owner, pg_has_role($1, current_user, 'MEMBER') as member from pg_roles where rolname = $1`,
      [role.name],
    )
    if (existing?.owner || existing?.member) throw new AppRoleError(`DATABASE_APP_URL's role ${role.name} is, or is a member of, the owner role of DATABASE_URL: it must be a role of its own.`)
    if (existing?.super) throw new AppRoleError(`DATABASE_APP_URL's role ${role.name} is a superuser: the app's role must not be.`)
    if (!existing) {
      if (!role.password) throw new AppRoleError(`The role ${role.name} does not exist: give DATABASE_APP_URL a password to create it with, or create it yourself.`)
      await tx.exec(await ident('create role %I login password %L', role.name, role.password))
    }
    const [{ name: databaseName }] = (await tx.query<{ name: string }>('select current_database() as name')) as [{ name: string }]
    await tx.exec(await ident('grant connect on database %I to %I', databaseName, role.name))
    await tx.exec(await ident('grant usage on schema public to %I', role.name))
    await tx.exec(await ident('revoke create on schema public from %I', role.name))
    await tx.exec(await ident('grant select, insert, update, delete on all tables in schema public to %I', role.name))
    await tx.exec(await ident('grant usage, select on all sequences in schema public to %I', role.name))
    for (const table of APPEND_ONLY) await tx.exec(await ident('revoke update, delete, truncate, trigger, references on %I from %I', table, role.name))
    for (const table of READ_ONLY) await tx.exec(await ident('revoke insert, update, delete, truncate, trigger, references on %I from %I', table, role.name))
  })
  return role.name
}

/**
 * The database the app serves from, migrated as on start. With DATABASE_APP_URL it is reached as the app's own role;
 * the owner's connection is used only to migrate and grant (outside production; in production npm run migrate does).
 */
export async function openServingDatabase(target: DatabaseTarget, environment: Environment): Promise<Database> {
  if (target.kind !== 'postgres' || !target.appUrl) {
    const database = await openDatabase(target)
    await migrateOnStart(database, environment)
    return database
  }
  if (environment !== 'production') {
    const owner = await openDatabase(target)
    try {
      await migrate(owner)
      await grantAppRole(owner, target.appUrl)
    } finally {
      await owner.close()
    }
  }
  return openDatabase({ kind: 'postgres', url: target.appUrl })
}
