//! Start/stop cycles leave no thread behind. One test in its own binary, so no other test's
//! threads are counted.
mod common;
use common::*;

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

/// A joined thread leaves /proc/self/task a moment after join returns (the kernel wakes the
/// joiner before it removes the task), longer when the machine is loaded: wait for the count.
fn threads_become(n: usize) {
    wait_until(&format!("{n} threads (now {})", threads()), || threads() == n);
}

#[test]
fn start_stop_cycles_and_drops_leave_no_thread() {
    let _sim = scenario(r#"{"devices": [{"utilization": 50}, {"utilization": 60}]}"#);
    let before = threads();
    for _ in 0..100 {
        let mut sampler = start(1, 16);
        threads_become(before + 1);
        sampler.stop();
    }
    threads_become(before);
    // The fast loop, the slow loop and the event thread all end with stop().
    for _ in 0..20 {
        let mut sampler = start_all(1, 10);
        threads_become(before + 3);
        sampler.stop();
    }
    threads_become(before);
    // Dropping a sampler stops it too, even mid-way through a long interval.
    drop(start(60_000, 16));
    threads_become(before);
    drop(start_all(60_000, 3_600_000));
    threads_become(before);
}
