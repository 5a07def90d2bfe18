/**
 * Benchmarks: server time of pages through app.inject, on embedded PGlite and, when
 * BENCH_DATABASE_URL is set, on a PostgreSQL server. Prints p50/p95 per scenario.
 * Run: npm run bench  (targets are stated per scenario; nothing here runs in npm test)
 */
import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import pg from 'pg'
import { createApp } from '../src/app.js'
import { services as createServices } from '../src/composition.js'
import type { DatabaseTarget } from '../src/config.js'
import { openDatabase } from '../src/platform/db/database.js'
import { migrate } from '../src/platform/db/migrate.js'
import { Agent, testConfig } from '../test/helpers/app.js'
import { factories } from '../test/helpers/factories.js'
import { asbBench, PGLITE_PEOPLE, SERVER_PEOPLE } from './asb.js'
import { governanceBench } from './governance.js'
import { performanceBench } from './performance.js'
import { percentile } from './timing.js'

/** BENCH_ONLY=pages or BENCH_ONLY=asb runs one suite; by default both run. */
const only = process.env.BENCH_ONLY
const pagesSuite = !only || only === 'pages'
const asbSuite = !only || only === 'asb'
const governanceSuite = !only || only === 'governance'
const performanceSuite = !only || only === 'performance'

const AUDIT_ROWS = Number(process.env.BENCH_AUDIT_ROWS ?? 200_000)
const RUNS = 50

async function time(label: string, target: number, work: () => Promise<unknown>) {
  for (let i = 0; i < 5; i++) await work()
  const samples: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now()
    await work()
    samples.push(performance.now() - start)
  }
  samples.sort((a, b) => a - b)
  const p95 = percentile(samples, 95)
  console.log(`  ${label.padEnd(44)} p50 ${percentile(samples, 50).toFixed(1).padStart(7)} ms   p95 ${p95.toFixed(1).padStart(7)} ms   target p95 < ${target} ms ${p95 < target ? 'met' : 'MISSED'}`)
}

async function run(name: string, target: DatabaseTarget) {
  console.log(`\n${name}`)
  const database = await openDatabase(target)
  await migrate(database)
  const made = factories(database.db)
  const admin = await made.user({ roles: ['admin'] })
  // Synthetic audit history: sign-ins spread over two years.
  await sql`insert into audit_events (occurred_at, user_id, organisation_id, action, record_type, record_id, ip)
    select now() - make_interval(mins => g), ${admin.id}, ${admin.organisationId}, 'sign_in', 'user', ${admin.id}, '10.0.0.1'
    from generate_series(1, ${AUDIT_ROWS}::int) g`.execute(database.db)
  const app = await createApp(createServices(testConfig({ database: target }), database))
  const agent = new Agent(app)
  await agent.submit('/sign-in', { email: admin.email, password: admin.password })
  console.log(`  (${AUDIT_ROWS.toLocaleString('en-GB')} audit events)`)
  await time('GET / (home page)', 50, () => agent.get('/'))
  await time('GET /audit (newest 50 of all events)', 100, () => agent.get('/audit'))
  await time('GET /audit filtered by user and a month', 100, () => agent.get(`/audit?userId=${admin.id}&from=2026-01-01&to=2026-01-31`))
  await time('GET /api/v1/me (session)', 20, () => agent.get('/api/v1/me'))
  await app.close()
  await database.close()
}

if (pagesSuite) await run('Embedded PGlite (in memory)', { kind: 'pglite-memory' })
if (asbSuite) await asbBench('Embedded PGlite (in memory)', { kind: 'pglite-memory' }, PGLITE_PEOPLE)
if (governanceSuite) await governanceBench('Embedded PGlite (in memory)', { kind: 'pglite-memory' })
if (performanceSuite) await performanceBench('Embedded PGlite (in memory)', { kind: 'pglite-memory' })

const serverUrl = process.env.BENCH_DATABASE_URL
if (serverUrl) {
  const name = `scp_bench_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  await admin.query(`create database ${name}`)
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  try {
    if (pagesSuite) await run('PostgreSQL server', { kind: 'postgres', url: url.toString() })
    if (asbSuite) await asbBench('PostgreSQL server', { kind: 'postgres', url: url.toString() }, SERVER_PEOPLE)
    if (governanceSuite) await governanceBench('PostgreSQL server', { kind: 'postgres', url: url.toString() })
    if (performanceSuite) await performanceBench('PostgreSQL server', { kind: 'postgres', url: url.toString() })
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`)
    await admin.end()
  }
} else {
  console.log('\nSet BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to run the same scenarios on a PostgreSQL server.')
}
