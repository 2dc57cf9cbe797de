//! Device handles. NVML's are opaque pointers; the sim's are numbers that say what they name:
//! a whole GPU is `index + 1` (never NULL), a MIG device is
//! `MIG_BIT | parent index << 16 | (instance position + 1)`, where the position is the
//! instance's place in the parent's `mig.instances`.
use nvml_wrapper_sys::bindings::nvmlDevice_t;

const MIG_BIT: usize = 1 << 31;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handle {
    Gpu(usize),
    Mig { parent: usize, position: usize },
}

pub fn gpu(index: usize) -> nvmlDevice_t {
    (index + 1) as nvmlDevice_t
}

pub fn mig(parent: usize, position: usize) -> nvmlDevice_t {
    (MIG_BIT | parent << 16 | (position + 1)) as nvmlDevice_t
}

/// What a handle names, None for NULL and numbers the sim never gives out (the caller still
/// checks the index against the scenario).
pub fn decode(device: nvmlDevice_t) -> Option<Handle> {
    let h = device as usize;
    if h & MIG_BIT == 0 {
        return h.checked_sub(1).map(Handle::Gpu);
    }
    let rest = h & !MIG_BIT;
    let position = (rest & 0xffff).checked_sub(1)?;
    Some(Handle::Mig { parent: rest >> 16, position })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_round_trip() {
        assert_eq!(decode(gpu(0)), Some(Handle::Gpu(0)));
        assert_eq!(decode(gpu(3)), Some(Handle::Gpu(3)));
        assert_eq!(decode(mig(2, 6)), Some(Handle::Mig { parent: 2, position: 6 }));
        assert_eq!(decode(std::ptr::null_mut()), None);
        assert_eq!(decode(MIG_BIT as nvmlDevice_t), None);
    }
}
