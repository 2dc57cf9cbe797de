/**
 * CPU time of one thread of this process, in ns, through clock_gettime on the thread's CPU
 * clock (what /proc/<pid>/task/<tid>/stat gives in 10 ms ticks, at ns resolution).
 */
import { readdirSync, readFileSync } from 'node:fs';
import koffi from 'koffi';

const libc = koffi.load('libc.so.6');
// Registered by name for the prototype below.
koffi.struct('bench_timespec', { tv_sec: 'int64_t', tv_nsec: 'int64_t' });
const clockGettime = libc.func('int clock_gettime(int clk, _Out_ bench_timespec *tp)');

/** Linux's clock id for a thread's CPU time: MAKE_THREAD_CPUCLOCK(tid, CPUCLOCK_SCHED). */
function threadClock(tid) {
  return (~tid << 3) | 4 | 2;
}

export function threadCpuNs(tid) {
  const ts = {};
  if (clockGettime(threadClock(tid), ts) !== 0) throw new Error(`clock_gettime failed for thread ${tid}`);
  return Number(ts.tv_sec) * 1e9 + Number(ts.tv_nsec);
}

/** The ids of this process's threads named `name` (/proc/self/task/<tid>/comm). */
export function threadsNamed(name) {
  return readdirSync('/proc/self/task').filter((tid) => readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() === name).map(Number);
}
