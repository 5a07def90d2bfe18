import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance, FastifyReply } from 'fastify'
import fp from 'fastify-plugin'
import nunjucks from 'nunjucks'
import type { Permission } from '../../modules/auth/permissions.js'
import { ukDateOf } from '../dates.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const require = createRequire(import.meta.url)
export const govukFrontendDist = path.join(path.dirname(require.resolve('govuk-frontend/package.json')), 'dist')
export const publicDir = path.join(here, 'public')

declare module 'fastify' {
  interface FastifyReply {
    render(template: string, context?: Record<string, unknown>): FastifyReply
  }
}

const ukDateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/London' })


export function createViewEnvironment(): nunjucks.Environment {
  const env = new nunjucks.Environment(
    new nunjucks.FileSystemLoader([path.join(here, 'templates'), path.join(here, '../../modules'), govukFrontendDist]),
    { autoescape: true, throwOnUndefined: false },
  )
  env.addFilter('dateTime', (value: Date | string | null) => (value ? ukDateTime.format(new Date(value)) : ''))
  env.addFilter('date', (value: Date | string | null) => (value ? ukDateOf(value) : ''))
  env.addFilter('number', (value: number | null | undefined) => (typeof value === 'number' ? value.toLocaleString('en-GB') : ''))
  return env
}

interface NavigationItem {
  href: string
  text: string
  permission: Permission | 'signed-in'
}

// The service navigation: each entry shows only to users who may open it.
const NAVIGATION: NavigationItem[] = [
  { href: '/', text: 'Home', permission: 'signed-in' },
  { href: '/search', text: 'Search', permission: 'cases:read' },
  { href: '/cases', text: 'Cases', permission: 'cases:read' },
  { href: '/incidents', text: 'Incidents', permission: 'cases:read' },
  { href: '/people', text: 'People', permission: 'cases:read' },
  { href: '/tasks', text: 'Tasks', permission: 'cases:read' },
  { href: '/bodies', text: 'Boards', permission: 'governance:read' },
  { href: '/meetings', text: 'Meetings', permission: 'governance:read' },
  { href: '/actions', text: 'Actions', permission: 'signed-in' },
  { href: '/performance', text: 'Performance', permission: 'performance:read' },
  { href: '/admin/organisations', text: 'Organisations', permission: 'organisations:manage' },
  { href: '/admin/users', text: 'Users', permission: 'users:manage' },
  { href: '/admin/api-tokens', text: 'API tokens', permission: 'api_tokens:manage' },
  { href: '/admin/sharing-agreements', text: 'Sharing agreements', permission: 'sharing_agreements:manage' },
  { href: '/audit', text: 'Audit log', permission: 'audit:read' },
  { href: '/admin/outbox', text: 'Outbox', permission: 'outbox:read' },
]

export const setUpViews = fp(async (app: FastifyInstance) => {
  const env = createViewEnvironment()

  app.decorateReply('render', function (this: FastifyReply, template: string, context: Record<string, unknown> = {}) {
    const request = this.request
    const auth = request.auth
    const currentPath = request.url.split('?')[0] ?? '/'
    const navigation = auth
      ? NAVIGATION.filter((item) => item.permission === 'signed-in' || auth.permissions.has(item.permission)).map((item) => ({
          href: item.href,
          text: item.text,
          active: item.href === '/' ? currentPath === '/' : currentPath.startsWith(item.href),
        }))
      : []
    const html = env.render(template, {
      ...context,
      currentUser: auth?.user,
      navigation,
      csrfToken: this.generateCsrf(),
      cspNonce: this.cspNonce?.script,
      currentPath,
    })
    return this.type('text/html; charset=utf-8').send(html)
  })
})
