import { readFileSync } from 'node:fs'
import path from 'node:path'
import { BaseSequencer, type TestSpecification } from 'vitest/node'

/** Seconds each test file took in a whole run on the 2-core CI machine: `npm run test:timings` writes it anew. */
export const TIMINGS_FILE = path.resolve('test/timings.json')

function committedTimings(): Record<string, number> {
  try {
    return JSON.parse(readFileSync(TIMINGS_FILE, 'utf8')) as Record<string, number>
  } catch {
    return {}
  }
}

/**
 * Longest files first, so the workers finish together instead of one starting the slowest file last. A file's time is
 * the one this machine measured last (vitest's cache), else the committed timings (a new checkout, as in CI), else
 * it counts as long: a new file is most likely a slow one.
 */
export default class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const committed = committedTimings()
    const seconds = (file: TestSpecification) => {
      const relative = path.relative(this.ctx.config.root, file.moduleId)
      const cached = this.ctx.cache.getFileTestResults(`${file.project.name}:${relative}`)
      return cached ? cached.duration / 1000 : (committed[relative] ?? Number.POSITIVE_INFINITY)
    }
    return [...files].sort((a, b) => seconds(b) - seconds(a))
  }
}
