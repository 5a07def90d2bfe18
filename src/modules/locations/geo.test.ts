import { describe, expect, it } from 'vitest'
import { districtName, resolvePoint } from './geo.js'

describe('resolving a point to its district, ward and LSOA', () => {
  it('puts Leicester Clock Tower in Leicester', () => {
    const area = resolvePoint(52.6366, -1.1358)
    expect(area.districtCode).toBe('E06000016')
    expect(area.districtName).toBe('Leicester')
    expect(area.wardCode).toMatch(/^E05/)
    expect(area.wardName).toBe('Castle')
    expect(area.lsoaCode).toMatch(/^E01/)
  })

  it('puts Oakham in Rutland', () => {
    const area = resolvePoint(52.6703, -0.7286)
    expect(area.districtCode).toBe('E06000017')
    expect(area.districtName).toBe('Rutland')
    expect(area.wardName).toMatch(/^Oakham/)
  })

  it('puts Loughborough in Charnwood', () => {
    expect(resolvePoint(52.7721, -1.2062).districtCode).toBe('E07000130')
  })

  it('gives nulls, not an error, outside Leicester, Leicestershire and Rutland', () => {
    const none = { districtCode: null, districtName: null, wardCode: null, wardName: null, lsoaCode: null }
    expect(resolvePoint(51.5074, -0.1278)).toEqual(none)
    expect(resolvePoint(Number.NaN, 0)).toEqual(none)
  })

  it('names districts by code', () => {
    expect(districtName('E07000135')).toBe('Oadby and Wigston')
    expect(districtName('E09000001')).toBeNull()
  })
})
