/** Timing shared by the benchmark suites. */

import { cpus, loadavg } from 'node:os'

/** How busy the machine was, printed beside each set of timings. */
export const machineLoad = () => `${cpus().length} CPUs, load average ${loadavg().map((value) => value.toFixed(1)).join(', ')}`

export function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

export const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50)

/**
 * Wall time and this process's CPU time over the runs, after the warm-up: PGlite runs in the process, so on a busy
 * machine the wall time includes waiting for a CPU and the CPU time does not.
 */
export async function sample(work: () => Promise<unknown>, runs: number, warmUp: number) {
  for (let i = 0; i < warmUp; i++) await work()
  const wall: number[] = []
  const cpu: number[] = []
  for (let i = 0; i < runs; i++) {
    const startCpu = process.cpuUsage()
    const start = performance.now()
    await work()
    wall.push(performance.now() - start)
    const used = process.cpuUsage(startCpu)
    cpu.push((used.user + used.system) / 1000)
  }
  wall.sort((a, b) => a - b)
  cpu.sort((a, b) => a - b)
  return { p50: percentile(wall, 50), p95: percentile(wall, 95), cpu50: percentile(cpu, 50) }
}
