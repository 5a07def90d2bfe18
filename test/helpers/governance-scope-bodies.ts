/**
 * A valid request for every governance change, by route, for test/governance-scope.test.ts: each would succeed for the
 * body's clerk, so that when a stranger sends it only the scope check can refuse it (not validation).
 */

export interface ScopeIds {
  bodyId: string
  meetingId: string
  nextMeetingId: string
  itemId: string
  /** Another item of the held meeting, for agenda variance. */
  otherItemId: string
  memberId: string
  memberUserId: string
  strangerId: string
  /** YYYY-MM-DD, after the next meeting: for a new meeting or a changed date. */
  laterDate: string
}

export type ScopeRequest = { form: Record<string, string | string[]> } | { json?: Record<string, unknown> } | { upload: { title: string } }

const dateParts = (field: string, iso: string) => {
  const [year, month, day] = iso.split('-') as [string, string, string]
  return { [`${field}-day`]: String(Number(day)), [`${field}-month`]: String(Number(month)), [`${field}-year`]: year }
}

/** Keyed by `METHOD url` exactly as the access table lists the route. */
export function scopeRequests(ids: ScopeIds): Record<string, ScopeRequest> {
  const owner = `user:${ids.memberUserId}`
  const actionFields = { text: 'Visit the shop owners', owners: [owner], due: 'date', ...dateParts('dueOn', ids.laterDate), link: 'none' }
  return {
    // bodies and members
    'POST /bodies/:bodyId/edit': { form: { name: 'A renamed JAG', kind: 'jag', visibility: 'open', reminderDaysBefore: '7', resolutionNumbering: 'letters' } },
    // The stranger tries to make themselves a member.
    'POST /bodies/:bodyId/members/new': { form: { memberType: 'user', userId: ids.strangerId, role: 'clerk', ...dateParts('fromDate', '2026-01-01') } },
    'POST /bodies/:bodyId/members/:memberId/end': { form: dateParts('toDate', ids.laterDate) },
    'POST /bodies/:bodyId/elections/new': { form: { meetingId: ids.meetingId, office: 'chair', memberId: ids.memberId } },
    'POST /api/v1/bodies/:bodyId/members': { json: { userId: ids.strangerId, role: 'clerk' } },
    // meetings and agendas
    'POST /bodies/:bodyId/meetings/new': { form: { ...dateParts('meetsOn', ids.laterDate), startsAt: '10:00', venueType: 'teams' } },
    'POST /bodies/:bodyId/forward-programme/items/new': { form: { title: 'Knife crime update', kind: 'report' } },
    'POST /agenda-items/:itemId/programme': { form: { meetingId: ids.nextMeetingId } },
    'POST /meetings/:meetingId/edit': { form: { ...dateParts('meetsOn', ids.laterDate), startsAt: '14:00', venueType: 'teams', version: '1' } },
    'POST /meetings/:meetingId/cancel': { form: { reason: 'The chair is unwell', version: '1' } },
    'POST /meetings/:meetingId/items/new': { form: { title: 'Knife crime update', kind: 'report' } },
    'POST /agenda-items/:itemId/edit': { form: { title: 'Renamed report', kind: 'report' } },
    'POST /agenda-items/:itemId/move': { form: { direction: 'up' } },
    'POST /agenda-items/:itemId/remove': { form: {} },
    'POST /agenda-items/:itemId/papers/new': { upload: { title: 'Another paper' } },
    'POST /papers/:paperId/remove': { form: {} },
    'POST /meetings/:meetingId/publish-agenda': { form: {} },
    'POST /api/v1/bodies/:bodyId/meetings': { json: { meetsOn: ids.laterDate, startsAt: '10:00', venue: 'Microsoft Teams' } },
    'POST /api/v1/meetings/:meetingId/items': { json: { title: 'Knife crime update', kind: 'report' } },
    'POST /api/v1/meetings/:meetingId/publish-agenda': { json: undefined },
    // minutes
    'POST /meetings/:meetingId/closed': { form: { version: '1', closedAt: '12:30' } },
    'POST /meetings/:meetingId/minutes/publish': { form: { version: '1' } },
    'POST /meetings/:meetingId/minutes/confirm-previous': { form: { version: '1' } },
    'POST /meetings/:meetingId/attendance': { form: { version: '1', person: owner, [`status-user-${ids.memberUserId}`]: 'apologies' } },
    'POST /meetings/:meetingId/declarations': { form: { version: '1', person: owner, itemId: ids.itemId, interest: 'A trustee of the charity' } },
    'POST /meetings/:meetingId/declarations/:declarationId/remove': { form: { version: '1' } },
    'POST /meetings/:meetingId/minutes/items/:itemId': { form: { form: 'minutes', version: '1', minutes: 'Rewritten minutes' } },
    'POST /meetings/:meetingId/minutes/items/:itemId/resolutions': { form: { form: 'resolution', version: '1', kind: 'resolved', text: 'that the report be noted' } },
    'POST /meetings/:meetingId/minutes/items/:itemId/variance': { form: { form: 'variance', version: '1', takenBeforeItemId: ids.otherItemId } },
    'POST /meetings/:meetingId/minutes/items/:itemId/defer': { form: { form: 'defer', version: '1', deferredReason: 'deferred until the next meeting due to absence' } },
    'POST /meetings/:meetingId/minutes/items/:itemId/defer/undo': { form: { form: 'undo', version: '1' } },
    'POST /meetings/:meetingId/minutes/items/:itemId/resolutions/:resolutionId/edit': { form: { form: 'edit', version: '1', kind: 'agreed', text: 'that the report be approved' } },
    'POST /meetings/:meetingId/minutes/items/:itemId/resolutions/:resolutionId/move': { form: { form: 'order', version: '1', direction: 'down' } },
    'POST /meetings/:meetingId/minutes/items/:itemId/resolutions/:resolutionId/remove': { form: { form: 'order', version: '1' } },
    'POST /api/v1/meetings/:meetingId/attendance': { json: { version: 1, attendees: [{ userId: ids.memberUserId, status: 'apologies' }] } },
    'POST /api/v1/meetings/:meetingId/items/:itemId/minutes': { json: { version: 1, minutes: 'Rewritten minutes', resolutions: [{ kind: 'resolved', text: 'that the report be noted' }] } },
    'POST /api/v1/meetings/:meetingId/minutes/publish': { json: { version: 1 } },
    'POST /api/v1/meetings/:meetingId/minutes/confirm-previous': { json: { version: 1, subjectToAmendment: false } },
    // actions
    'POST /meetings/:meetingId/items/:itemId/actions/new': { form: actionFields },
    'POST /bodies/:bodyId/actions/new': { form: actionFields },
    'POST /actions/:actionId/edit': { form: { ...actionFields, version: '1' } },
    'POST /actions/:actionId/update': { form: { status: 'complete', comment: 'Done', version: '1' } },
    'POST /api/v1/actions/:actionId/updates': { json: { status: 'complete', comment: 'Done', version: 1 } },
  }
}
