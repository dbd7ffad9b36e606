//! Safe wrapper around the extracted kernel code (work in progress).
