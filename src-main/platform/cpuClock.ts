/**
 * The CPU time this process has used so far, in milliseconds: user and system time of all its
 * threads (XNNPACK's worker threads included). Unlike the wall clock it advances only while the
 * process computes, so an interval counted on it measures work done whatever else loads the machine.
 */
export function processCpuMilliseconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
