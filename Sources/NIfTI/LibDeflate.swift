import Glibc

/// Whole-buffer gzip decompression with libdeflate: several times faster than zlib's
/// streaming inflate when the output size is known, as it is from a NIfTI header.
///
/// libdeflate is not linked: `libdeflate.so.0` (Debian's `libdeflate0`) is opened with
/// dlopen at first use, so building needs no libdeflate header and a machine without the
/// library inflates with zlib. The three calls used here, and their results, have kept
/// their ABI through libdeflate 1.x (the soname has stayed 0).
struct LibDeflate: Sendable {
    static let soname = "libdeflate.so.0"

    // The prototypes of libdeflate.h. The decompressor is an opaque struct; size_t is Int;
    // `enum libdeflate_result` is an int.
    private typealias AllocDecompressor = @convention(c) () -> OpaquePointer?
    private typealias GzipDecompressEx = @convention(c) (
        _ decompressor: OpaquePointer?, _ in: UnsafeRawPointer?, _ inNBytes: Int,
        _ out: UnsafeMutableRawPointer?, _ outNBytesAvail: Int,
        _ actualInNBytesRet: UnsafeMutablePointer<Int>?, _ actualOutNBytesRet: UnsafeMutablePointer<Int>?
    ) -> CInt
    private typealias FreeDecompressor = @convention(c) (OpaquePointer?) -> Void
    /// LIBDEFLATE_SUCCESS. Every other result (LIBDEFLATE_BAD_DATA = 1, LIBDEFLATE_SHORT_OUTPUT = 2,
    /// LIBDEFLATE_INSUFFICIENT_SPACE = 3) is a refusal, which zlib then explains.
    private static let success: CInt = 0

    private let allocDecompressor: AllocDecompressor
    private let gzipDecompressEx: GzipDecompressEx
    private let freeDecompressor: FreeDecompressor

    /// Why libdeflate is not there to use.
    enum LoadFailure: Error, Equatable, CustomStringConvertible {
        /// dlopen found no `libdeflate.so.0`.
        case notFound
        /// dlopen found a file but could not load it (dlerror's message).
        case unloadable(String)
        /// The library lacks a function this code calls.
        case missing(symbol: String)

        var description: String {
            switch self {
            case .notFound: "\(LibDeflate.soname) not found"
            case .unloadable(let message): "\(LibDeflate.soname) did not load (\(message))"
            case .missing(let symbol): "\(LibDeflate.soname) lacks \(symbol)"
            }
        }
    }

    /// The library, loaded once for the whole process at first use (a static let's
    /// initialization is thread-safe), or why it could not be.
    static let loaded: Result<LibDeflate, LoadFailure> = load()

    /// The library when it loaded.
    static var available: LibDeflate? { try? loaded.get() }

    private static func load() -> Result<LibDeflate, LoadFailure> {
        // RTLD_LOCAL: its symbols serve only these calls. Never closed: the functions
        // stay valid for the process's life.
        guard let handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL) else {
            let message = dlerror().map { String(cString: $0) } ?? "unknown error"
            // "libdeflate.so.0: cannot open shared object file: No such file or directory";
            // any other message names the file found and what is wrong with it.
            return .failure(message.hasSuffix("No such file or directory") ? .notFound : .unloadable(message))
        }
        func symbol<Function>(_ name: String, as type: Function.Type) -> Result<Function, LoadFailure> {
            guard let address = dlsym(handle, name) else { return .failure(.missing(symbol: name)) }
            return .success(unsafeBitCast(address, to: type))
        }
        let library = Result { () throws(LoadFailure) in
            LibDeflate(
                allocDecompressor: try symbol("libdeflate_alloc_decompressor", as: AllocDecompressor.self).get(),
                gzipDecompressEx: try symbol("libdeflate_gzip_decompress_ex", as: GzipDecompressEx.self).get(),
                freeDecompressor: try symbol("libdeflate_free_decompressor", as: FreeDecompressor.self).get())
        }
        if case .failure = library { dlclose(handle) }
        return library
    }

    /// The inflated bytes of every gzip member in `input`, when they come to exactly
    /// `count` bytes and every member checks out; nil otherwise (the caller then learns
    /// what is wrong from zlib, which says it more precisely).
    func gunzip(_ input: [UInt8], exactly count: Int) -> [UInt8]? {
        guard let decompressor = allocDecompressor() else { return nil }
        defer { freeDecompressor(decompressor) }
        var complete = false
        let output = [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
            initialized = count
            complete = input.withUnsafeBytes { source in
                var inputOffset = 0, outputOffset = 0
                while true {
                    var consumed = 0, produced = 0
                    let result = gzipDecompressEx(
                        decompressor, source.baseAddress! + inputOffset, source.count - inputOffset,
                        UnsafeMutableRawPointer(out.baseAddress!) + outputOffset, count - outputOffset,
                        &consumed, &produced)
                    guard result == Self.success else { return false }
                    inputOffset += consumed
                    outputOffset += produced
                    // Another member follows only if the gzip magic does; other trailing bytes are ignored.
                    let more = source.count - inputOffset >= 2 && source[inputOffset] == 0x1F && source[inputOffset + 1] == 0x8B
                    if !more { return outputOffset == count }
                }
            }
        }
        return complete ? output : nil
    }
}
