/// How a header field is stored: the spec's C types.
enum FieldStorage: Sendable, Equatable {
    case uint8, int16, int32, int64, float32, float64
    /// `char`, for strings and for the unused Analyze bytes.
    case char

    /// Bytes per element.
    var size: Int {
        switch self {
        case .uint8, .char: 1
        case .int16: 2
        case .int32, .float32: 4
        case .int64, .float64: 8
        }
    }
}

/// Where one format keeps a field: its byte offset, its storage type, and how many elements.
struct FieldSlot: Sendable, Equatable {
    let offset: Int
    let storage: FieldStorage
    let count: Int

    static func at(_ offset: Int, _ storage: FieldStorage, _ count: Int = 1) -> FieldSlot {
        FieldSlot(offset: offset, storage: storage, count: count)
    }

    /// The field's bytes in the header.
    var range: Range<Int> { offset..<offset + storage.size * count }

    /// The offset of element `index`.
    func offset(of index: Int) -> Int { offset + index * storage.size }
}

/// A `NIfTIHeader` property a field reads into and writes from.
typealias HeaderProperty<Value> = WritableKeyPath<NIfTIHeader, Value> & Sendable

/// What a field holds in `NIfTIHeader`.
enum FieldValue: Sendable {
    case integer(HeaderProperty<Int>)
    case integers(HeaderProperty<[Int]>)
    case real(HeaderProperty<Double>)
    case reals(HeaderProperty<[Double]>)
    /// A NUL-terminated string.
    case text(HeaderProperty<String>)
    /// `sizeof_hdr`: read first, to tell the format and byte order; written from the format.
    case headerSize
    /// The magic string: checked on reading, written from the format.
    case magic
    /// A field maskdb does not keep: skipped on reading, written as zeros.
    case unused
}

/// One header field: its spec name, its place in NIfTI-1 and NIfTI-2 (nil where that
/// format has no such field), and the property it maps to.
struct HeaderField: Sendable {
    let name: String
    let nifti1: FieldSlot?
    let nifti2: FieldSlot?
    let value: FieldValue

    init(_ name: String, _ nifti1: FieldSlot?, _ nifti2: FieldSlot?, _ value: FieldValue) {
        (self.name, self.nifti1, self.nifti2, self.value) = (name, nifti1, nifti2, value)
    }

    func slot(_ format: NIfTIHeader.Format) -> FieldSlot? { format == .nifti1 ? nifti1 : nifti2 }
}

extension NIfTIHeader {
    /// Every field of both headers, in NIfTI-1's order (nifti1.h, nibabel's `header_dtd`),
    /// with its NIfTI-2 place (nifti2.h): NIfTI-2 widens `dim` and the slice indices to
    /// int64, the floats to float64 and the codes to int32, moves `magic` to offset 4 and
    /// the codes and `dim_info` to the end, and drops the Analyze leftovers. The reader
    /// and the writer both go through this table, so each offset is written here only.
    static let fields: [HeaderField] = [
        //    name              NIfTI-1                NIfTI-2                property
        .init("sizeof_hdr",     .at(0, .int32),        .at(0, .int32),        .headerSize),
        .init("data_type",      .at(4, .char, 10),     nil,                   .unused),
        .init("db_name",        .at(14, .char, 18),    nil,                   .unused),
        .init("extents",        .at(32, .int32),       nil,                   .unused),
        .init("session_error",  .at(36, .int16),       nil,                   .unused),
        .init("regular",        .at(38, .char),        nil,                   .unused),
        .init("dim_info",       .at(39, .uint8),       .at(524, .uint8),      .unused),
        .init("dim",            .at(40, .int16, 8),    .at(16, .int64, 8),    .integers(\.dim)),
        .init("intent_p1",      .at(56, .float32),     .at(80, .float64),     .unused),
        .init("intent_p2",      .at(60, .float32),     .at(88, .float64),     .unused),
        .init("intent_p3",      .at(64, .float32),     .at(96, .float64),     .unused),
        .init("intent_code",    .at(68, .int16),       .at(504, .int32),      .integer(\.intentCode)),
        .init("datatype",       .at(70, .int16),       .at(12, .int16),       .integer(\.datatypeCode)),
        .init("bitpix",         .at(72, .int16),       .at(14, .int16),       .integer(\.bitpix)),
        .init("slice_start",    .at(74, .int16),       .at(224, .int64),      .unused),
        .init("pixdim",         .at(76, .float32, 8),  .at(104, .float64, 8), .reals(\.pixdim)),
        .init("vox_offset",     .at(108, .float32),    .at(168, .int64),      .real(\.voxOffset)),
        .init("scl_slope",      .at(112, .float32),    .at(176, .float64),    .real(\.sclSlope)),
        .init("scl_inter",      .at(116, .float32),    .at(184, .float64),    .real(\.sclInter)),
        .init("slice_end",      .at(120, .int16),      .at(232, .int64),      .unused),
        .init("slice_code",     .at(122, .uint8),      .at(496, .int32),      .unused),
        .init("xyzt_units",     .at(123, .uint8),      .at(500, .int32),      .integer(\.xyztUnits)),
        .init("cal_max",        .at(124, .float32),    .at(192, .float64),    .real(\.calMax)),
        .init("cal_min",        .at(128, .float32),    .at(200, .float64),    .real(\.calMin)),
        .init("slice_duration", .at(132, .float32),    .at(208, .float64),    .unused),
        .init("toffset",        .at(136, .float32),    .at(216, .float64),    .unused),
        .init("glmax",          .at(140, .int32),      nil,                   .unused),
        .init("glmin",          .at(144, .int32),      nil,                   .unused),
        .init("descrip",        .at(148, .char, 80),   .at(240, .char, 80),   .text(\.descrip)),
        .init("aux_file",       .at(228, .char, 24),   .at(320, .char, 24),   .unused),
        .init("qform_code",     .at(252, .int16),      .at(344, .int32),      .integer(\.qformCode)),
        .init("sform_code",     .at(254, .int16),      .at(348, .int32),      .integer(\.sformCode)),
        .init("quatern_b",      .at(256, .float32),    .at(352, .float64),    .real(\.quaternB)),
        .init("quatern_c",      .at(260, .float32),    .at(360, .float64),    .real(\.quaternC)),
        .init("quatern_d",      .at(264, .float32),    .at(368, .float64),    .real(\.quaternD)),
        .init("qoffset_x",      .at(268, .float32),    .at(376, .float64),    .real(\.qoffsetX)),
        .init("qoffset_y",      .at(272, .float32),    .at(384, .float64),    .real(\.qoffsetY)),
        .init("qoffset_z",      .at(276, .float32),    .at(392, .float64),    .real(\.qoffsetZ)),
        .init("srow_x",         .at(280, .float32, 4), .at(400, .float64, 4), .reals(\.srowX)),
        .init("srow_y",         .at(296, .float32, 4), .at(432, .float64, 4), .reals(\.srowY)),
        .init("srow_z",         .at(312, .float32, 4), .at(464, .float64, 4), .reals(\.srowZ)),
        .init("intent_name",    .at(328, .char, 16),   .at(508, .char, 16),   .text(\.intentName)),
        .init("magic",          .at(344, .char, 4),    .at(4, .char, 8),      .magic),
        .init("unused_str",     nil,                   .at(525, .char, 15),   .unused),
    ]

    /// The fields `format` has, with their slots there, in table order: worked out once,
    /// so that each header read or written walks a short list.
    static func layout(_ format: Format) -> [(slot: FieldSlot, value: FieldValue)] {
        format == .nifti1 ? nifti1Layout : nifti2Layout
    }
    private static let nifti1Layout = fields.compactMap { field in field.nifti1.map { (slot: $0, value: field.value) } }
    private static let nifti2Layout = fields.compactMap { field in field.nifti2.map { (slot: $0, value: field.value) } }
}

extension NIfTIHeader.Format {
    /// The magic of a single-file image (`.nii`), the only kind maskdb reads and writes.
    var singleFileMagic: [UInt8] { Array((self == .nifti1 ? "n+1\0" : "n+2\0\r\n\u{1A}\n").utf8) }
    /// The magic of a `.hdr`/`.img` pair's header.
    var pairMagic: [UInt8] { Array((self == .nifti1 ? "ni1\0" : "ni2\0\r\n\u{1A}\n").utf8) }
}
