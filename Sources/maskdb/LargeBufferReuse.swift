import CGlibcExtras

/// Imports decode file after file into buffers of megabytes. By default glibc gives such
/// buffers back to the kernel when they are freed, so the next file's buffer is faulted in
/// again page by page: keeping them halves an import's page faults and saves about 5% of
/// its CPU time (measured on 28 real-size masks), for memory it would soon use again.
enum LargeBufferReuse {
    static func enable() {
        _ = mallopt(M_MMAP_THRESHOLD, 32 << 20)  // glibc's largest: heap, not mmap, up to 32 MB
        _ = mallopt(M_TRIM_THRESHOLD, Int32.max)
    }
}
