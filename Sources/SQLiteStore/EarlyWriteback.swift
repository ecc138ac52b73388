import CGlibcExtras
import Glibc
import Store
import Synchronization

/// Asks the kernel to start writing the database file's dirty pages to disk while an
/// import is still running, so the commit's fsync waits only for the last ones
/// (on 28 real-size masks the commit otherwise waits about 50 ms for 176 MB).
///
/// It needs a descriptor of the file of its own, and never closes it: closing any
/// descriptor of a file drops every POSIX lock the process holds on it, those of
/// SQLite's connections included. One descriptor per file is kept for the process's life.
struct EarlyWriteback {
    /// Open descriptors by file identity.
    private static let descriptors = Mutex<[FileIdentity: Int32]>([:])
    private let fd: Int32

    /// For the file at `path`; without one (in memory, unreadable), it does nothing.
    init(path: String) {
        guard let identity = FileIdentity(path: path) else {
            fd = -1
            return
        }
        fd = Self.descriptors.withLock { descriptors in
            if let known = descriptors[identity] { return known }
            let opened = open(path, O_RDONLY | O_CLOEXEC)
            if opened >= 0 { descriptors[identity] = opened }
            return opened
        }
    }

    /// Starts writeback of the whole file's dirty pages, without waiting for it.
    func start() {
        if fd >= 0 { _ = sync_file_range(fd, 0, 0, cglibc_SYNC_FILE_RANGE_WRITE) }
    }
}
