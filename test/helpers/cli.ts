import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll } from 'vitest'
import { type Database, openDatabase } from '../../src/platform/db/database.js'
import { freshDatabase, migratedDataFolder, serverUrl, type TestDatabase } from './database.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const TSX = path.join(ROOT, 'node_modules/.bin/tsx')

export interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/**
 * A command-line test file's set-up: a folder of its own and, on a server, a database of its own for the command;
 * otherwise a PGlite data folder, as the app's first start leaves it.
 */
export function commandLine(name: string) {
  const state: { folder: string; server: TestDatabase | undefined } = { folder: '', server: undefined }
  beforeAll(async () => {
    state.folder = await mkdtemp(path.join(tmpdir(), `scp-${name}-`))
    if (serverUrl) state.server = await freshDatabase()
    else await migratedDataFolder(path.join(state.folder, 'data', 'pglite'))
  })
  afterAll(async () => {
    await state.server?.destroy()
    await rm(state.folder, { recursive: true, force: true })
  })

  return {
    get folder() {
      return state.folder
    },
    /** Runs a command as a person would (`npm run …`), with a configuration of its own. */
    run(script: string, args: string[] = []): Promise<Run> {
      const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, NODE_ENV: 'test', SEED_DEMO_DATA: 'false', DATA_DIR: path.join(state.folder, 'data'), LOG_LEVEL: 'silent' }
      if (state.server) env.DATABASE_URL = (state.server.target as { url: string }).url
      return new Promise((resolve) => {
        execFile(TSX, [script, ...args], { cwd: ROOT, env }, (error, stdout, stderr) => {
          resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr })
        })
      })
    },
    /** The command's database, opened while the command is not running. */
    async withDatabase<T>(work: (database: Database) => Promise<T>): Promise<T> {
      if (state.server) return work(state.server.database)
      const database = await openDatabase({ kind: 'pglite', dataDir: path.join(state.folder, 'data', 'pglite') })
      try {
        return await work(database)
      } finally {
        await database.close()
      }
    },
  }
}
