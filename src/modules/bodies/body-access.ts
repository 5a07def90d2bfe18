import { type RawBuilder, type SqlBool, sql } from 'kysely'
import type { Executor } from '../../platform/db/executor.js'
import { signedIn } from '../../platform/http/actor.js'
import { ForbiddenError, NotFoundError } from '../../platform/http/errors.js'
import type { Actor } from '../audit/audit.events.js'
import { rolesWith } from '../auth/permissions.js'

/** Roles that run bodies, and the member roles that let such a user run a particular body. */
const MANAGING_MEMBER_ROLES = ['chair', 'deputy_chair', 'clerk', 'officer'] as const

/** Today in the UK, whatever the database server's time zone: memberships run from and to UK dates. */
const TODAY_IN_LONDON = sql`(now() at time zone 'Europe/London')::date`

/** Members today: a membership that has started and not ended. */
export function currentMemberOf(bodyId: RawBuilder<string>, userId: string, roles?: readonly string[]): RawBuilder<SqlBool> {
  const roleRule = roles ? sql`and body_member.role in (${sql.join(roles.map((role) => sql.lit(role)))})` : sql``
  return sql<SqlBool>`exists (select 1 from body_members body_member where body_member.body_id = ${bodyId} and body_member.user_id = ${userId}
    and body_member.from_date <= ${TODAY_IN_LONDON} and (body_member.to_date is null or body_member.to_date >= ${TODAY_IN_LONDON}) ${roleRule})`
}

function isAdmin(userId: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`exists (select 1 from users body_user where body_user.id = ${userId} and 'admin' = any(body_user.roles))`
}

/**
 * The one scope rule for partnership governance. An open body, its meetings, papers, minutes and actions are visible
 * to every user whose role reads governance (the gate checks the role); a closed body (a JAG) only to its current
 * members and to administrators. Every list, page, download and export of governance records goes through this.
 */
export function bodyRowVisibleTo(userId: string, bodyAlias = 'bodies'): RawBuilder<SqlBool> {
  const id = sql.ref<string>(`${bodyAlias}.id`)
  return sql<SqlBool>`(${sql.ref(`${bodyAlias}.visibility`)} = 'open' or ${currentMemberOf(id, userId)} or ${isAdmin(userId)})`
}

/** Bodies a user may run: administrators all; others with a managing role, those where they are chair, deputy chair, clerk or officer. */
export function bodyRowManageableBy(userId: string, bodyAlias = 'bodies'): RawBuilder<SqlBool> {
  const id = sql.ref<string>(`${bodyAlias}.id`)
  const managingRoles = rolesWith('governance:manage')
  return sql<SqlBool>`(${isAdmin(userId)} or (exists (select 1 from users body_manager where body_manager.id = ${userId}
    and body_manager.roles && array[${sql.join(managingRoles.map((role) => sql.lit(role)))}]::text[]) and ${currentMemberOf(id, userId, MANAGING_MEMBER_ROLES)}))`
}

export function visibleBodyIds(db: Executor, userId: string) {
  return db.selectFrom('bodies').select('bodies.id').where(bodyRowVisibleTo(userId))
}

export type BodyAccessLevel = 'read' | 'manage'

export interface AccessibleBody {
  id: string
  name: string
  kind: string
  visibility: 'open' | 'closed'
  parentId: string | null
  canManage: boolean
}

/**
 * The body, if the actor may see it (a closed body they may not see is "not found", so its existence is not revealed),
 * and may manage it when asked for 'manage'.
 */
export async function requireBody(db: Executor, actor: Actor, bodyId: string, level: BodyAccessLevel): Promise<AccessibleBody> {
  const { userId } = signedIn(actor)
  const body = await db
    .selectFrom('bodies')
    .select(['bodies.id', 'bodies.name', 'bodies.kind', 'bodies.visibility', 'bodies.parent_id as parentId', bodyRowManageableBy(userId).as('canManage')])
    .where('bodies.id', '=', bodyId)
    .where(bodyRowVisibleTo(userId))
    .executeTakeFirst()
  if (!body) throw new NotFoundError('Body not found')
  if (level === 'manage' && !body.canManage) throw new ForbiddenError('Only the chair, clerk or officers of this body, or an administrator, can change it')
  return { ...body, canManage: Boolean(body.canManage) }
}

/** The body a meeting belongs to, checked as requireBody does; "not found" for a meeting the actor may not see. */
export async function requireMeetingBody(db: Executor, actor: Actor, meetingId: string, level: BodyAccessLevel): Promise<AccessibleBody & { meetingId: string }> {
  const meeting = await db.selectFrom('meetings').select('body_id').where('id', '=', meetingId).executeTakeFirst()
  if (!meeting) throw new NotFoundError('Meeting not found')
  const body = await requireBody(db, actor, meeting.body_id, level).catch((error: unknown) => {
    if (error instanceof NotFoundError) throw new NotFoundError('Meeting not found')
    throw error
  })
  return { ...body, meetingId }
}
