/// Everything that can be wrong with a NIfTI file, each message naming the file.
public enum NIfTIError: Error, Equatable, Sendable {
    /// The file could not be opened or read at all.
    case unreadable(path: String, reason: String)
    /// The file is shorter than any NIfTI header.
    case tooShort(path: String, bytes: Int)
    /// `sizeof_hdr` is neither 348 (NIfTI-1) nor 540 (NIfTI-2) in either byte order.
    case notNIfTI(path: String)
    /// The magic string is not that of a single-file NIfTI image.
    case badMagic(path: String, magic: String)
    /// A `.hdr` of a `.hdr`/`.img` pair, which maskdb does not read.
    case headerImagePair(path: String)
    /// `dim` does not describe a valid image.
    case badDimensions(path: String, detail: String)
    /// A datatype maskdb does not read (complex, RGB, float128, ...).
    case unsupportedDatatype(path: String, name: String, code: Int)
    /// `vox_offset` points inside the header or is not a whole, finite number.
    case badVoxelOffset(path: String, detail: String)
    /// The header announces more voxel data than the file can hold.
    case truncated(path: String, expected: Int, available: Int)
    /// The announced image is larger than memory can address or the file could ever hold.
    case tooLarge(path: String, detail: String)
    /// The gzip stream is damaged.
    case corruptGzip(path: String, detail: String)
    /// The gzip stream inflates to more bytes than the header announces.
    case longerThanAnnounced(path: String, expected: Int)
    /// `scl_slope` / `scl_inter` cannot be applied.
    case badScaling(path: String, detail: String)
    /// The qform quaternion is not a unit quaternion.
    case badQuaternion(path: String, detail: String)
    /// The affine the header gives holds NaN or infinite values.
    case nonFiniteAffine(path: String, source: String)
    /// The file could not be written.
    case unwritable(path: String, reason: String)
    /// The image's sizes (without a leading axis of length 1) are not those of the grid it
    /// is to be measured on (`NIfTIImage.placed(on:gridPath:)`).
    case gridMismatch(path: String, shape: [Int], grid: String, gridShape: [Int])
}

extension NIfTIError: CustomStringConvertible {
    /// The message: the file, what is wrong, and what to do.
    public var description: String { "\(path): \(reason)" }

    /// What is wrong and what to do, without the file's name (for lines that name it already).
    public var reason: String {
        switch self {
        case let .unreadable(_, reason):
            "cannot read the file: \(reason)"
        case let .tooShort(_, bytes):
            "only \(bytes) bytes, too short for a NIfTI header; is the file complete?"
        case .notNIfTI:
            "not a NIfTI-1 or NIfTI-2 file (sizeof_hdr is neither 348 nor 540)"
        case let .badMagic(_, magic):
            "bad NIfTI magic \(magic); the header is damaged or this is not a NIfTI image"
        case .headerImagePair:
            "a .hdr/.img pair header; convert it to a single .nii or .nii.gz file (e.g. nibabel, fslchfiletype)"
        case let .badDimensions(_, detail):
            "invalid dimensions: \(detail)"
        case let .unsupportedDatatype(_, name, code):
            "unsupported datatype \(name) (code \(code)); maskdb reads integer and float32/float64 images"
        case let .badVoxelOffset(_, detail):
            "invalid vox_offset: \(detail)"
        case let .truncated(_, expected, available):
            "truncated: the header announces \(expected) bytes but the file holds only \(available); was it fully written?"
        case let .tooLarge(_, detail):
            detail
        case let .corruptGzip(_, detail):
            "corrupt gzip stream (\(detail)); was the file fully written?"
        case let .longerThanAnnounced(_, expected):
            "the gzip stream holds more than the \(expected) bytes its header announces; the header or the file is damaged"
        case let .badScaling(_, detail):
            "invalid scaling: \(detail)"
        case let .badQuaternion(_, detail):
            "invalid qform: \(detail)"
        case let .nonFiniteAffine(_, source):
            "the \(source) affine holds NaN or infinite values; the header is damaged"
        case let .unwritable(_, reason):
            "cannot write the file: \(reason)"
        case let .gridMismatch(_, shape, grid, gridShape):
            "its shape \(Self.sizes(shape))\(shape.count == 4 && shape[0] == 1 ? " (\(Self.sizes(Array(shape.dropFirst()))) without its channel axis)" : "") is not the \(Self.sizes(gridShape)) of its grid \(grid); give the grid of the images the maps were computed on"
        }
    }

    /// The file the error is about.
    public var path: String {
        switch self {
        case .unreadable(let path, _),
             .tooShort(let path, _),
             .notNIfTI(let path),
             .badMagic(let path, _),
             .headerImagePair(let path),
             .badDimensions(let path, _),
             .unsupportedDatatype(let path, _, _),
             .badVoxelOffset(let path, _),
             .truncated(let path, _, _),
             .tooLarge(let path, _),
             .corruptGzip(let path, _),
             .longerThanAnnounced(let path, _),
             .badScaling(let path, _),
             .badQuaternion(let path, _),
             .nonFiniteAffine(let path, _),
             .unwritable(let path, _),
             .gridMismatch(let path, _, _, _):
            path
        }
    }

    private static func sizes(_ shape: [Int]) -> String { shape.map(String.init).joined(separator: " x ") }
}
