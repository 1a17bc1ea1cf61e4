/**
 * Node flags for the processes the bench starts (workers and services): RICOCHET_BENCH_CPU_PROF=DIR
 * writes a V8 CPU profile of each into DIR (open it in Chrome DevTools), to see where the slow
 * side spends its time.
 */
export function profilingFlags(): string[] {
  const profileDirectory = process.env.RICOCHET_BENCH_CPU_PROF;
  return profileDirectory === undefined || profileDirectory === ''
    ? []
    : ['--cpu-prof', '--cpu-prof-dir', profileDirectory];
}
