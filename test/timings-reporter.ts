import { writeFileSync } from 'node:fs'
import path from 'node:path'
import type { Reporter, TestModule } from 'vitest/node'
import { TIMINGS_FILE } from './sequencer.js'

/** Writes each test file's time in a whole run (hooks included) to test/timings.json, for the sequencer. */
export default class TimingsReporter implements Reporter {
  onTestRunEnd(modules: readonly TestModule[], _errors: unknown, reason: 'passed' | 'interrupted' | 'failed') {
    // Only a whole run that passed measures every file as it normally runs.
    if (reason !== 'passed') return
    const timings = Object.fromEntries(
      modules
        .map((module) => [path.relative(process.cwd(), module.moduleId), Math.round(module.diagnostic().duration / 100) / 10] as const)
        .sort(([a], [b]) => a.localeCompare(b)),
    )
    writeFileSync(TIMINGS_FILE, `${JSON.stringify(timings, null, 2)}\n`)
  }
}
