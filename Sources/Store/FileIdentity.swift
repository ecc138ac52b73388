import Glibc

/// A file's identity (device and inode), whatever path names it: a symbolic link or another
/// spelling of the path has the same one.
public struct FileIdentity: Hashable, Sendable {
    let device: UInt64
    let inode: UInt64

    /// The identity of the file at `path`, nil when there is none (missing, in memory).
    public init?(path: String) {
        var info = stat()
        guard path != ":memory:", stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}
