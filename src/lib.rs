//! swapdiff: differential fuzzing of the kernel swap-count and MTE code.
