import { existsSync } from 'node:fs'

/** Debian's Chromium (CHROMIUM_PATH overrides it). The tests never download a browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
export const chromiumAvailable = existsSync(CHROMIUM_PATH)

/** Headless as root, and no background requests: this machine's closed network refuses them. */
export const LAUNCH_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-gpu', '--no-first-run']
