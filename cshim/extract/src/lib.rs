//! Kernel source extraction (work in progress).
