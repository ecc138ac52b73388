import Glibc

/// Whole-file reads and writes through POSIX calls, so failures carry the system's
/// own reason ("No such file or directory", "Permission denied").
public enum FileBytes {
    /// The whole file, or an `unreadable` error naming it; a file of more than
    /// `maximumBytes` is refused (`tooLarge`) before a byte of it is read.
    public static func read(_ path: String, maximumBytes: Int = .max) throws(NIfTIError) -> [UInt8] {
        // Non-blocking, so that a FIFO is refused below instead of waiting for a writer
        // (it changes nothing for a regular file).
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw .unreadable(path: path, reason: systemReason()) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .unreadable(path: path, reason: systemReason()) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw .unreadable(path: path, reason: (info.st_mode & S_IFMT) == S_IFDIR ? "it is a folder" : "not a regular file")
        }
        // Never ask for more than the machine has: the allocation would fail with a trap.
        let memory = Int64(sysconf(Int32(_SC_PHYS_PAGES))) * Int64(sysconf(Int32(_SC_PAGESIZE)))
        guard Int64(info.st_size) <= memory else {
            throw .tooLarge(path: path, detail: "the file holds \(info.st_size) bytes, more than this machine's \(memory) bytes of memory")
        }
        guard Int64(info.st_size) <= Int64(maximumBytes) else {
            throw .tooLarge(path: path, detail: "the file holds \(info.st_size) bytes, more than an image within the mask size limit can (\(maximumBytes) bytes; \(MaskSizeLimit.environmentVariable) sets the limit)")
        }
        var failure: String?
        var filled = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: Int(info.st_size)) { buffer, initialized in
            while filled < buffer.count {
                let n = Glibc.read(fd, buffer.baseAddress! + filled, buffer.count - filled)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = systemReason()
                    break
                }
                if n == 0 { break }  // the file shrank while we read it
                filled += n
            }
            initialized = filled
        }
        if let failure { throw .unreadable(path: path, reason: failure) }
        return bytes
    }

    /// A regular file opened to be read a chunk at a time (`readChunk`); the caller closes it.
    public static func openRegularFile(_ path: String) throws(NIfTIError) -> Int32 {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)  // non-blocking: a FIFO is refused, not waited on
        guard fd >= 0 else { throw .unreadable(path: path, reason: systemReason()) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let reason = systemReason()
            close(fd)
            throw .unreadable(path: path, reason: reason)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw .unreadable(path: path, reason: (info.st_mode & S_IFMT) == S_IFDIR ? "it is a folder" : "not a regular file")
        }
        return fd
    }

    /// Reads what comes next of `fd` into `buffer`: the number of bytes read, 0 at the end.
    public static func readChunk(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, path: String) throws(NIfTIError) -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress!, buffer.count)
            if n >= 0 { return n }
            if errno != EINTR { throw .unreadable(path: path, reason: systemReason()) }
        }
    }

    /// Asks the kernel to start reading the file into its page cache and returns at once,
    /// so that a later `read` of it finds the bytes there instead of waiting for the disk.
    /// A file that cannot be opened, or is not a regular file, is left alone: `read` reports it.
    public static func prefetch(_ path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return }
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_WILLNEED)
    }

    /// Writes `bytes` to a temporary file beside `path`, then renames it into place,
    /// so a reader never sees a half-written file.
    public static func write(_ bytes: [UInt8], to path: String) throws(NIfTIError) {
        let temporary = path + ".partial-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .unwritable(path: path, reason: systemReason()) }
        let failure: String? = bytes.withUnsafeBytes { buffer in
            var written = 0
            while written < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + written, buffer.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    return systemReason()
                }
                written += n
            }
            return nil
        }
        let closed = close(fd) == 0
        if let failure = failure ?? (closed ? nil : systemReason()) {
            unlink(temporary)
            throw .unwritable(path: path, reason: failure)
        }
        guard rename(temporary, path) == 0 else {
            let reason = systemReason()
            unlink(temporary)
            throw .unwritable(path: path, reason: reason)
        }
    }

    private static func systemReason() -> String {
        String(cString: strerror(errno)).lowercased()
    }
}
