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
}

extension NIfTIError: CustomStringConvertible {
    /// The message: the file, what is wrong, and what to do.
    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            "\(path): cannot read the file: \(reason)"
        case let .tooShort(path, bytes):
            "\(path): only \(bytes) bytes, too short for a NIfTI header; is the file complete?"
        case let .notNIfTI(path):
            "\(path): not a NIfTI-1 or NIfTI-2 file (sizeof_hdr is neither 348 nor 540)"
        case let .badMagic(path, magic):
            "\(path): bad NIfTI magic \(magic); the header is damaged or this is not a NIfTI image"
        case let .headerImagePair(path):
            "\(path): a .hdr/.img pair header; convert it to a single .nii or .nii.gz file (e.g. nibabel, fslchfiletype)"
        case let .badDimensions(path, detail):
            "\(path): invalid dimensions: \(detail)"
        case let .unsupportedDatatype(path, name, code):
            "\(path): unsupported datatype \(name) (code \(code)); maskdb reads integer and float32/float64 images"
        case let .badVoxelOffset(path, detail):
            "\(path): invalid vox_offset: \(detail)"
        case let .truncated(path, expected, available):
            "\(path): truncated: the header announces \(expected) bytes but the file holds only \(available); was it fully written?"
        case let .tooLarge(path, detail):
            "\(path): \(detail)"
        case let .corruptGzip(path, detail):
            "\(path): corrupt gzip stream (\(detail)); was the file fully written?"
        case let .longerThanAnnounced(path, expected):
            "\(path): the gzip stream holds more than the \(expected) bytes its header announces; the header or the file is damaged"
        case let .badScaling(path, detail):
            "\(path): invalid scaling: \(detail)"
        case let .badQuaternion(path, detail):
            "\(path): invalid qform: \(detail)"
        case let .nonFiniteAffine(path, source):
            "\(path): the \(source) affine holds NaN or infinite values; the header is damaged"
        case let .unwritable(path, reason):
            "\(path): cannot write the file: \(reason)"
        }
    }
}
