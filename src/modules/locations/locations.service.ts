import type { Kysely } from 'kysely'
import type { Executor } from '../../platform/db/executor.js'
import type { DB } from '../../platform/db/schema.js'
import { NotFoundError } from '../../platform/http/errors.js'
import type { Actor } from '../audit/audit.events.js'
import type { AuditService } from '../audit/audit.service.js'
import { districtName, resolvePoint } from './geo.js'
import { locationsRepository } from './locations.repository.js'

export interface LocationInput {
  address: string
  postcode?: string | null
  latitude?: number | null
  longitude?: number | null
}

/**
 * The location for an address, made the first time it is used, so repeat incidents at one address share one location.
 * District, ward and LSOA come from the coordinates when there are any; coordinates given later fill a location that had none.
 */
export async function findOrCreateLocation(db: Executor, input: LocationInput): Promise<string> {
  const repository = locationsRepository(db)
  const address = input.address.trim().replace(/\s+/g, ' ')
  const postcode = input.postcode ?? null
  const hasPoint = input.latitude != null && input.longitude != null
  const place = hasPoint
    ? { latitude: input.latitude!, longitude: input.longitude!, ...resolvePoint(input.latitude!, input.longitude!) }
    : { latitude: null, longitude: null, districtCode: null, wardCode: null, wardName: null, lsoaCode: null }
  const existing = await repository.findByAddress(address, postcode)
  if (existing) {
    if (hasPoint && existing.latitude === null) await repository.setPlace(existing.id, place)
    return existing.id
  }
  const inserted = await repository.insert({ address, postcode, ...place })
  if (inserted) return inserted.id
  // Someone else added the same address between our look-up and insert.
  const raced = await repository.findByAddress(address, postcode)
  if (!raced) throw new Error('Location insert conflicted but no matching location was found')
  return raced.id
}

export function locationsService({ db, audit }: { db: Kysely<DB>; audit: Pick<AuditService, 'record'> }) {
  return {
    /** The address page: the address, its area, and the incidents there the user may see. Audited as a read. */
    show(actor: Actor, id: string) {
      return db.transaction().execute(async (trx) => {
        const organisationId = actor.organisationId
        if (!organisationId) throw new NotFoundError('Address not found')
        const repository = locationsRepository(trx)
        const location = await repository.findById(id)
        if (!location) throw new NotFoundError('Address not found')
        // An address is seen only through records the user may see, so addresses typed by other organisations do not leak.
        if (!(await repository.isVisibleTo(id, organisationId))) throw new NotFoundError('Address not found')
        const incidents = await repository.incidentsAt(id, organisationId)
        await audit.record(actor, { action: 'location.viewed', recordType: 'location', recordId: id, details: { incidents: incidents.length } }, trx)
        return { location: { ...location, districtName: districtName(location.districtCode) }, incidents }
      })
    },
  }
}

export type LocationsService = ReturnType<typeof locationsService>
