import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { DB } from '../platform/db/schema.js'
import { hashPassword } from '../modules/auth/passwords.js'
import type { OrganisationType, Role } from '../modules/auth/permissions.js'
import { seedAsbDemonstration } from './asb-demo.js'
import { seedGovernanceDemonstration } from './governance-demo.js'

/** The Leicester, Leicestershire and Rutland partners. Housing providers are fictional. */
export const DEMO_ORGANISATIONS: { name: string; type: OrganisationType }[] = [
  { name: 'Leicestershire Police', type: 'police' },
  { name: 'Leicestershire County Council', type: 'county_council' },
  { name: 'Leicester City Council', type: 'county_council' },
  { name: 'Rutland County Council', type: 'county_council' },
  { name: 'Blaby District Council', type: 'council' },
  { name: 'Charnwood Borough Council', type: 'council' },
  { name: 'Harborough District Council', type: 'council' },
  { name: 'Hinckley and Bosworth Borough Council', type: 'council' },
  { name: 'Melton Borough Council', type: 'council' },
  { name: 'North West Leicestershire District Council', type: 'council' },
  { name: 'Oadby and Wigston Borough Council', type: 'council' },
  { name: 'Leicestershire Fire and Rescue Service', type: 'fire' },
  { name: 'Probation Service (Leicester, Leicestershire and Rutland)', type: 'probation' },
  { name: 'Leicester, Leicestershire and Rutland Integrated Care Board', type: 'health' },
  { name: 'Office of the Police and Crime Commissioner for Leicestershire', type: 'opcc' },
  { name: 'Violence Reduction Network', type: 'vrn' },
  { name: 'Soar Valley Homes (demonstration housing provider)', type: 'housing_provider' },
  { name: 'Welland Housing Trust (demonstration housing provider)', type: 'housing_provider' },
]

/** One demonstration user per role; synthetic names, example.org addresses. */
export const DEMO_USERS: { role: Role; name: string; email: string; organisation: string }[] = [
  { role: 'admin', name: 'Alex Admin', email: 'admin@demo.example.org', organisation: 'Leicestershire County Council' },
  { role: 'case_manager', name: 'Casey Manager', email: 'case.manager@demo.example.org', organisation: 'Charnwood Borough Council' },
  { role: 'case_viewer', name: 'Vic Viewer', email: 'case.viewer@demo.example.org', organisation: 'Leicestershire Police' },
  { role: 'partnership_coordinator', name: 'Pat Coordinator', email: 'coordinator@demo.example.org', organisation: 'Leicestershire County Council' },
  { role: 'board_member', name: 'Bo Member', email: 'board.member@demo.example.org', organisation: 'Office of the Police and Crime Commissioner for Leicestershire' },
  { role: 'analyst', name: 'Ana Lyst', email: 'analyst@demo.example.org', organisation: 'Leicestershire Police' },
  { role: 'auditor', name: 'Audrey Auditor', email: 'auditor@demo.example.org', organisation: 'Leicestershire County Council' },
]

/**
 * Colleagues who lead and work demonstration cases. They have random passwords that are never shown: an administrator
 * can reset one to sign in as them.
 */
export const DEMO_COLLEAGUES: { name: string; email: string; organisation: string }[] = [
  { name: 'Sam Okoro', email: 'sam.okoro@leicester.demo.example.org', organisation: 'Leicester City Council' },
  { name: 'Hannah Price', email: 'hannah.price@charnwood.demo.example.org', organisation: 'Charnwood Borough Council' },
  { name: 'Imran Hussain', email: 'imran.hussain@blaby.demo.example.org', organisation: 'Blaby District Council' },
  { name: 'Beth Morgan', email: 'beth.morgan@harborough.demo.example.org', organisation: 'Harborough District Council' },
  { name: 'Gary Fox', email: 'gary.fox@hinckley.demo.example.org', organisation: 'Hinckley and Bosworth Borough Council' },
  { name: 'Lucy Hall', email: 'lucy.hall@melton.demo.example.org', organisation: 'Melton Borough Council' },
  { name: 'Deepak Shah', email: 'deepak.shah@nwleics.demo.example.org', organisation: 'North West Leicestershire District Council' },
  { name: 'Chloe Adams', email: 'chloe.adams@oadby.demo.example.org', organisation: 'Oadby and Wigston Borough Council' },
  { name: 'Tom Barker', email: 'tom.barker@rutland.demo.example.org', organisation: 'Rutland County Council' },
  { name: 'PC Jordan Hayes', email: 'jordan.hayes@police.demo.example.org', organisation: 'Leicestershire Police' },
  { name: 'Nadia Rahman', email: 'nadia.rahman@soarvalley.demo.example.org', organisation: 'Soar Valley Homes (demonstration housing provider)' },
]

export interface DemoCredential {
  role: Role
  email: string
  password: string
}

/**
 * Loads the demonstration data into an empty database and returns the sign-in details, once.
 * Returns null when the database already has organisations: restarts keep what is there.
 */
export async function seedDemonstrationData(db: Kysely<DB>): Promise<DemoCredential[] | null> {
  const existing = await db.selectFrom('organisations').select('id').limit(1).executeTakeFirst()
  if (existing) return null
  const credentials = await Promise.all(DEMO_USERS.map(async (user) => ({ ...user, password: `demo-${randomBytes(9).toString('base64url')}` })))
  const hashes = await Promise.all(credentials.map((credential) => hashPassword(credential.password)))
  const colleagueHash = await hashPassword(randomBytes(24).toString('base64url'))
  await db.transaction().execute(async (trx) => {
    const organisations = await trx.insertInto('organisations').values(DEMO_ORGANISATIONS).returning(['id', 'name']).execute()
    const idOf = new Map(organisations.map((organisation) => [organisation.name, organisation.id]))
    await trx
      .insertInto('users')
      .values(credentials.map((user, index) => ({ name: user.name, email: user.email, organisation_id: idOf.get(user.organisation)!, roles: [user.role], password_hash: hashes[index]! })))
      .execute()
    const colleagues = await trx
      .insertInto('users')
      .values(DEMO_COLLEAGUES.map((colleague) => ({ name: colleague.name, email: colleague.email, organisation_id: idOf.get(colleague.organisation)!, roles: ['case_manager'], password_hash: colleagueHash })))
      .returning(['id', 'organisation_id'])
      .execute()
    const caseManager = await trx.selectFrom('users').select(['id', 'organisation_id']).where('email', '=', 'case.manager@demo.example.org').executeTakeFirstOrThrow()
    const officers = new Map<string, string[]>()
    for (const officer of [caseManager, ...colleagues]) {
      const name = [...idOf].find(([, id]) => id === officer.organisation_id)![0]
      officers.set(name, [...(officers.get(name) ?? []), officer.id])
    }
    await seedAsbDemonstration(trx, idOf, officers)
    await seedGovernanceDemonstration(trx, idOf)
  })
  return credentials.map(({ role, email, password }) => ({ role, email, password }))
}
