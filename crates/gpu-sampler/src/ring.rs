//! A fixed-capacity ring of sequenced entries: the newest `capacity` are kept, and a reader
//! with a cursor learns how many it missed when the ring wrapped past it.
use std::collections::VecDeque;

pub trait Sequenced {
    fn seq(&self) -> u64;
}

#[derive(Debug, Clone)]
pub struct Ring<T> {
    entries: VecDeque<T>,
    capacity: usize,
    /// Sequence number of the newest entry evicted, 0 if none.
    evicted_up_to: u64,
    evicted: u64,
}

impl<T: Sequenced + Clone> Ring<T> {
    pub fn new(capacity: usize) -> Self {
        Ring { entries: VecDeque::with_capacity(capacity.min(65_536)), capacity: capacity.max(1), evicted_up_to: 0, evicted: 0 }
    }

    pub fn push(&mut self, entry: T) {
        if self.entries.len() == self.capacity {
            if let Some(old) = self.entries.pop_front() {
                self.evicted_up_to = old.seq();
                self.evicted += 1;
            }
        }
        self.entries.push_back(entry);
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> {
        self.entries.iter()
    }

    pub fn newest(&self) -> Option<&T> {
        self.entries.back()
    }

    /// Entries with seq > cursor, oldest first.
    pub fn since(&self, cursor: u64) -> impl Iterator<Item = &T> {
        let start = self.entries.partition_point(|e| e.seq() <= cursor);
        self.entries.range(start..)
    }

    /// Whether entries after `cursor` were evicted before being read.
    pub fn missed_since(&self, cursor: u64) -> bool {
        self.evicted_up_to > cursor
    }

    pub fn evicted(&self) -> u64 {
        self.evicted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Sequenced for u64 {
        fn seq(&self) -> u64 {
            *self
        }
    }

    #[test]
    fn keeps_the_newest_after_wrap_around() {
        let mut ring = Ring::new(3);
        for s in 1..=7u64 {
            ring.push(s);
        }
        assert_eq!(ring.iter().copied().collect::<Vec<_>>(), vec![5, 6, 7]);
        assert_eq!(ring.newest(), Some(&7));
        assert_eq!(ring.evicted(), 4);
    }

    #[test]
    fn since_a_cursor_and_what_was_missed() {
        let mut ring = Ring::new(3);
        for s in [2u64, 4, 6, 8] {
            ring.push(s);
        }
        assert_eq!(ring.since(4).copied().collect::<Vec<_>>(), vec![6, 8]);
        assert_eq!(ring.since(0).copied().collect::<Vec<_>>(), vec![4, 6, 8]);
        assert!(ring.missed_since(0));
        assert!(!ring.missed_since(2));
        assert_eq!(ring.since(8).count(), 0);
    }
}
