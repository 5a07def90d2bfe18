import type { FastifyInstance } from 'fastify'
import type { Services } from '../../composition.js'
import { actorOf } from '../../platform/http/actor.js'
import { ROLE_LABELS } from '../auth/permissions.js'

interface Task {
  href: string
  title: string
  description: string
}

export async function homeRoutes(app: FastifyInstance, { services }: { services: Services }) {
  app.get('/', { config: { access: 'signed-in' } }, async (request, reply) => {
    const { user, permissions } = request.auth!
    const tasks: Task[] = []
    if (permissions.has('cases:read')) {
      tasks.push({ href: '/cases?view=mine', title: 'My cases', description: 'ASB cases you lead, and every case your organisation owns or has been shared.' })
      tasks.push({ href: '/tasks', title: 'My tasks', description: 'Tasks assigned to you on cases across the partnership, overdue first.' })
      tasks.push({ href: '/incidents', title: 'Incidents', description: 'Reports of anti-social behaviour, with or without a case.' })
      tasks.push({ href: '/people', title: 'Find a person', description: 'Victims, perpetrators and witnesses: search by name, date of birth or address.' })
    }
    // Anyone can own an action (a police officer without a governance role), so every user sees theirs.
    if (permissions.has('governance:read')) tasks.push({ href: '/bodies', title: 'Boards and meetings', description: 'Partnership bodies, their meetings, agendas, papers and minutes, and the forward programme.' })
    tasks.push({ href: '/actions', title: 'Actions', description: 'Actions from partnership meetings that you or your organisation own: record progress or mark them complete.' })
    if (permissions.has('governance:manage')) tasks.push({ href: '/actions/overdue', title: 'Overdue actions', description: 'Overdue actions across every body you run.' })
    if (permissions.has('performance:read')) tasks.push({ href: '/performance', title: 'Crime and ASB performance', description: 'Crime and anti-social behaviour by area and period, against the same period last year, with trends and hotspot maps.' })
    if (permissions.has('performance:import')) tasks.push({ href: '/performance/imports', title: 'Import police.uk data', description: 'Load street-level crime files from data.police.uk, one or many at a time.' })
    if (permissions.has('cases:manage')) tasks.push({ href: '/incidents/new', title: 'Record an incident', description: 'A new report of anti-social behaviour.' })
    if (permissions.has('sharing_agreements:manage')) tasks.push({ href: '/admin/sharing-agreements', title: 'Information sharing agreements', description: 'Agreements under which one organisation sees another’s cases.' })
    if (permissions.has('users:manage')) tasks.push({ href: '/admin/users', title: 'Manage users', description: 'Create accounts, change roles, reset passwords and deactivate users.' })
    if (permissions.has('organisations:manage')) tasks.push({ href: '/admin/organisations', title: 'Manage organisations', description: 'The partner organisations whose staff use the service.' })
    if (permissions.has('api_tokens:manage')) tasks.push({ href: '/admin/api-tokens', title: 'API tokens', description: 'Issue and revoke personal tokens for the JSON API.' })
    if (permissions.has('audit:read')) tasks.push({ href: '/audit', title: 'Audit log', description: 'Who did what and when: search and export to CSV.' })
    if (permissions.has('audit:verify')) tasks.push({ href: '/admin/audit-check', title: 'Check the audit log', description: 'Check that no audit entry has been changed, removed or slipped in since it was written.' })
    if (permissions.has('outbox:read')) tasks.push({ href: '/admin/outbox', title: 'Outbox', description: 'Every email the service sent, could not send, or keeps because email is not configured.' })
    tasks.push({ href: '/account/password', title: 'Change your password', description: 'Choose a new password for your account.' })
    const roles = user.roles.map((role) => ROLE_LABELS[role])
    const query = request.query as Record<string, string | undefined>
    const actions = await services.actions.homeSummary(actorOf(request))
    return reply.render('home/views/home.njk', { title: 'Home', user, tasks, roles, actions, canSearch: permissions.has('cases:read'), passwordChanged: Boolean(query.passwordChanged) })
  })
}
