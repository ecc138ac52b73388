/// A NIfTI-1 or NIfTI-2 header, with NIfTI-1's narrower fields widened so both
/// versions share one shape. Field names follow the spec.
public struct NIfTIHeader: Equatable, Sendable {
    /// NIfTI-1 (348-byte header) or NIfTI-2 (540-byte header).
    public enum Format: String, Sendable { case nifti1, nifti2 }
    /// The byte order of the header and the voxel data.
    public enum ByteOrder: String, Sendable { case little, big }

    public var format: Format = .nifti1
    public var byteOrder: ByteOrder = .little
    /// `dim[0]` is the number of dimensions, `dim[1...]` their sizes.
    public var dim: [Int] = [3, 1, 1, 1, 1, 1, 1, 1]
    /// The raw `datatype` code (see `NIfTIDataType`).
    public var datatypeCode: Int = NIfTIDataType.float32.rawValue
    public var bitpix: Int = 32
    /// `pixdim[0]` is qfac, `pixdim[1...]` the voxel sizes.
    public var pixdim: [Double] = [1, 1, 1, 1, 1, 1, 1, 1]
    public var voxOffset: Double = 352
    public var sclSlope: Double = 1
    public var sclInter: Double = 0
    public var calMax: Double = 0
    public var calMin: Double = 0
    public var xyztUnits: Int = 0
    public var intentCode: Int = 0
    public var intentName: String = ""
    public var descrip: String = ""
    public var qformCode: Int = 0
    public var sformCode: Int = 0
    public var quaternB: Double = 0
    public var quaternC: Double = 0
    public var quaternD: Double = 0
    public var qoffsetX: Double = 0
    public var qoffsetY: Double = 0
    public var qoffsetZ: Double = 0
    public var srowX: [Double] = [1, 0, 0, 0]
    public var srowY: [Double] = [0, 1, 0, 0]
    public var srowZ: [Double] = [0, 0, 1, 0]

    /// A float32 NIfTI-1 header with default fields.
    public init() {}

    /// Size of the header proper, without the 4 extension bytes.
    public var headerSize: Int { format == .nifti1 ? 348 : 540 }

    /// The number of dimensions, `dim[0]`.
    public var dimensionCount: Int { dim[0] }

    /// The image's shape: `dim[1...dim[0]]`.
    public var shape: [Int] { Array(dim[1...max(1, min(7, dim[0]))]) }

    /// The voxel sizes and other steps: `pixdim[1...dim[0]]`.
    public var zooms: [Double] { Array(pixdim[1...max(1, min(7, dim[0]))]) }

    /// The datatype, when maskdb reads it.
    public var datatype: NIfTIDataType? { NIfTIDataType(rawValue: datatypeCode) }
}
