/// The voxel datatypes maskdb reads (NIfTI `datatype` codes).
public enum NIfTIDataType: Int, Sendable, CaseIterable {
    case uint8 = 2
    case int16 = 4
    case int32 = 8
    case float32 = 16
    case float64 = 64
    case int8 = 256
    case uint16 = 512
    case uint32 = 768
    case int64 = 1024
    case uint64 = 1280

    /// Bytes per voxel.
    public var size: Int {
        switch self {
        case .uint8, .int8: 1
        case .int16, .uint16: 2
        case .int32, .uint32, .float32: 4
        case .int64, .uint64, .float64: 8
        }
    }

    /// The lowercase name nibabel and numpy use (`float32`, `int16`, ...).
    public var name: String { "\(self)" }

    /// The spec's name for any code, supported or not, for error messages.
    public static func specName(code: Int) -> String {
        if let known = NIfTIDataType(rawValue: code) { return known.name }
        return switch code {
        case 0: "unknown"
        case 1: "binary"
        case 32: "complex64"
        case 128: "rgb24"
        case 1536: "float128"
        case 1792: "complex128"
        case 2048: "complex256"
        case 2304: "rgba32"
        default: "unrecognized"
        }
    }
}
