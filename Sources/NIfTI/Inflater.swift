import CZlib
import Glibc

/// What inflates `.nii.gz` files in this process: libdeflate when `libdeflate.so.0` loads,
/// zlib otherwise (zlib also explains every stream libdeflate refuses).
///
/// `MASKDB_INFLATER=zlib` in the environment makes zlib do all the work, libdeflate not
/// even loaded (to compare the two, or to test the zlib path); any other value, or none,
/// leaves the choice to what loads.
public enum Inflater: Sendable, Equatable, CustomStringConvertible {
    /// libdeflate, loaded from the file named (its soname).
    case libdeflate(library: String)
    /// zlib (its version), and why not libdeflate.
    case zlib(version: String, reason: String)

    /// The environment variable that can turn libdeflate off.
    public static let environmentVariable = "MASKDB_INFLATER"

    /// This process's inflater, chosen once at first use.
    public static let current: Inflater = chosenLibDeflate.library != nil
        ? .libdeflate(library: LibDeflate.soname)
        : .zlib(version: String(cString: zlibVersion()), reason: chosenLibDeflate.reason)

    /// "libdeflate from libdeflate.so.0", "zlib 1.2.13; libdeflate.so.0 not found",
    /// "zlib 1.2.13; MASKDB_INFLATER=zlib".
    public var description: String {
        switch self {
        case .libdeflate(let library): "libdeflate from \(library)"
        case .zlib(let version, let reason): "zlib \(version); \(reason)"
        }
    }

    /// The libdeflate that `Gzip.inflate` uses, nil when zlib does all the work, and why.
    static let chosenLibDeflate: (library: LibDeflate?, reason: String) = {
        if let value = getenv(environmentVariable), String(cString: value) == "zlib" {
            return (nil, "\(environmentVariable)=zlib")
        }
        switch LibDeflate.loaded {
        case .success(let library): return (library, "")
        case .failure(let failure): return (nil, failure.description)
        }
    }()
}
