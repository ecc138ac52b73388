/// A NIfTI-1 or NIfTI-2 header, with NIfTI-1's narrower fields widened so both
/// versions share one shape. Field names follow the spec.
public struct NIfTIHeader: Equatable, Sendable {
    /// NIfTI-1 (348-byte header) or NIfTI-2 (540-byte header).
    public enum Format: String, Sendable { case nifti1, nifti2 }
    /// The byte order of the header and the voxel data.
    public enum ByteOrder: String, Sendable { case little, big }

    /// NIfTI-1 or NIfTI-2.
    public var format: Format = .nifti1
    /// The byte order of the header and voxels.
    public var byteOrder: ByteOrder = .little
    /// `dim[0]` is the number of dimensions, `dim[1...]` their sizes.
    public var dim: [Int] = [3, 1, 1, 1, 1, 1, 1, 1]
    /// The raw `datatype` code (see `NIfTIDataType`).
    public var datatypeCode: Int = NIfTIDataType.float32.rawValue
    /// Bits per voxel as stored (not trusted: the datatype decides).
    public var bitpix: Int = 32
    /// `pixdim[0]` is qfac, `pixdim[1...]` the voxel sizes.
    public var pixdim: [Double] = [1, 1, 1, 1, 1, 1, 1, 1]
    /// Byte offset of the voxel data (`vox_offset`); 0 means right after the header.
    public var voxOffset: Double = 352
    /// `scl_slope`: 0 or non-finite means the values are not scaled.
    public var sclSlope: Double = 1
    /// `scl_inter`, added after the slope.
    public var sclInter: Double = 0
    /// `cal_max`, the display range's top.
    public var calMax: Double = 0
    /// `cal_min`, the display range's bottom.
    public var calMin: Double = 0
    /// `xyzt_units`: spatial and temporal unit codes.
    public var xyztUnits: Int = 0
    /// `intent_code`.
    public var intentCode: Int = 0
    /// `intent_name`.
    public var intentName: String = ""
    /// `descrip`, the free-text description.
    public var descrip: String = ""
    /// `qform_code`: 0 when the qform is unset.
    public var qformCode: Int = 0
    /// `sform_code`: 0 when the sform is unset.
    public var sformCode: Int = 0
    /// The qform quaternion's b.
    public var quaternB: Double = 0
    /// The qform quaternion's c.
    public var quaternC: Double = 0
    /// The qform quaternion's d.
    public var quaternD: Double = 0
    /// The qform's x offset (mm).
    public var qoffsetX: Double = 0
    /// The qform's y offset (mm).
    public var qoffsetY: Double = 0
    /// The qform's z offset (mm).
    public var qoffsetZ: Double = 0
    /// The sform's first row.
    public var srowX: [Double] = [1, 0, 0, 0]
    /// The sform's second row.
    public var srowY: [Double] = [0, 1, 0, 0]
    /// The sform's third row.
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
