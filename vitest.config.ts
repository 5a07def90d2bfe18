import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'
import LongestFirstSequencer from './test/sequencer.js'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    // A worker runs its files one after another in one process, loading the app's modules and PGlite's WebAssembly
    // once rather than per file (half the suite's time). Nothing is shared between files but those: each builds its own
    // app and database, and no test mocks modules or changes globals it does not put back.
    isolate: false,
    // One worker per core: vitest's default leaves one core idle, which on a 2-core machine halves the suite's speed, and
    // more workers than cores was slower still. As many kept as allowed: with isolate off, tinypool's ending of an idle
    // worker fails the run ("Terminating worker thread").
    maxWorkers: availableParallelism(),
    minWorkers: availableParallelism(),
    sequence: { sequencer: LongestFirstSequencer },
    // Made once per run: the migrated database each file starts from and the shared Chromium.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    setupFiles: ['test/helpers/setup.ts'],
  },
})
