/// Reads fixed-offset fields in either byte order.
struct ByteReader {
    let bytes: [UInt8]
    let swapped: Bool

    func int16(_ offset: Int) -> Int { Int(Int16(bitPattern: u16(offset))) }
    func int32(_ offset: Int) -> Int { Int(Int32(bitPattern: u32(offset))) }
    func int64(_ offset: Int) -> Int64 { Int64(bitPattern: u64(offset)) }
    func float32(_ offset: Int) -> Double { Double(Float(bitPattern: u32(offset))) }
    func float64(_ offset: Int) -> Double { Double(bitPattern: u64(offset)) }
    func uint8(_ offset: Int) -> Int { Int(bytes[offset]) }

    /// A NUL-terminated string of at most `length` bytes.
    func string(_ offset: Int, length: Int) -> String {
        let field = bytes[offset..<offset + length]
        let end = field.firstIndex(of: 0) ?? field.endIndex
        return String(decoding: bytes[offset..<end], as: UTF8.self)
    }

    private func u16(_ offset: Int) -> UInt16 {
        let v = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt16.self) }
        return swapped ? v.byteSwapped : v
    }
    private func u32(_ offset: Int) -> UInt32 {
        let v = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self) }
        return swapped ? v.byteSwapped : v
    }
    private func u64(_ offset: Int) -> UInt64 {
        let v = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self) }
        return swapped ? v.byteSwapped : v
    }
}

extension NIfTIHeader {
    /// Bytes needed to tell the format and byte order apart: the larger header.
    static let largestHeaderSize = 540

    /// Parses a header from the start of a file. `bytes` may be longer than the header.
    /// Checks the size, magic and byte order only; `validate` checks the rest.
    public init(parsing bytes: [UInt8], path: String) throws(NIfTIError) {
        guard bytes.count >= 348 else { throw .tooShort(path: path, bytes: bytes.count) }
        let native = bytes.withUnsafeBytes { $0.loadUnaligned(as: Int32.self) }
        let order: ByteOrder
        let format: Format
        // The spec: sizeof_hdr tells the version, and byte-swapped it tells the byte order.
        switch (native, native.byteSwapped) {
        case (348, _): (format, order) = (.nifti1, .native)
        case (540, _): (format, order) = (.nifti2, .native)
        case (_, 348): (format, order) = (.nifti1, .native.swapped)
        case (_, 540): (format, order) = (.nifti2, .native.swapped)
        default: throw .notNIfTI(path: path)
        }
        if format == .nifti2 && bytes.count < 540 { throw .tooShort(path: path, bytes: bytes.count) }
        let reader = ByteReader(bytes: bytes, swapped: order != .native)
        self.init()
        self.format = format
        self.byteOrder = order
        switch format {
        case .nifti1: try parseNIfTI1(reader, path: path)
        case .nifti2: try parseNIfTI2(reader, path: path)
        }
    }

    private mutating func parseNIfTI1(_ r: ByteReader, path: String) throws(NIfTIError) {
        let magic = Array(r.bytes[344..<348])
        if magic == Array("ni1\0".utf8) { throw .headerImagePair(path: path) }
        guard magic == Array("n+1\0".utf8) else { throw .badMagic(path: path, magic: Self.printable(magic)) }
        dim = (0..<8).map { r.int16(40 + 2 * $0) }
        intentCode = r.int16(68)
        datatypeCode = r.int16(70)
        bitpix = r.int16(72)
        pixdim = (0..<8).map { r.float32(76 + 4 * $0) }
        voxOffset = r.float32(108)
        sclSlope = r.float32(112)
        sclInter = r.float32(116)
        xyztUnits = r.uint8(123)
        calMax = r.float32(124)
        calMin = r.float32(128)
        descrip = r.string(148, length: 80)
        qformCode = r.int16(252)
        sformCode = r.int16(254)
        quaternB = r.float32(256)
        quaternC = r.float32(260)
        quaternD = r.float32(264)
        qoffsetX = r.float32(268)
        qoffsetY = r.float32(272)
        qoffsetZ = r.float32(276)
        srowX = (0..<4).map { r.float32(280 + 4 * $0) }
        srowY = (0..<4).map { r.float32(296 + 4 * $0) }
        srowZ = (0..<4).map { r.float32(312 + 4 * $0) }
        intentName = r.string(328, length: 16)
    }

    private mutating func parseNIfTI2(_ r: ByteReader, path: String) throws(NIfTIError) {
        let magic = Array(r.bytes[4..<12])
        if magic == Array("ni2\0\r\n\u{1A}\n".utf8) { throw .headerImagePair(path: path) }
        guard magic == Array("n+2\0\r\n\u{1A}\n".utf8) else {
            throw .badMagic(path: path, magic: Self.printable(magic))
        }
        datatypeCode = r.int16(12)
        bitpix = r.int16(14)
        var dims: [Int] = []
        for i in 0..<8 {
            // Dimensions beyond Int's range are refused by validation as too large.
            let value = r.int64(16 + 8 * i)
            dims.append(Int(clamping: value))
        }
        dim = dims
        pixdim = (0..<8).map { r.float64(104 + 8 * $0) }
        voxOffset = Double(r.int64(168))
        sclSlope = r.float64(176)
        sclInter = r.float64(184)
        calMax = r.float64(192)
        calMin = r.float64(200)
        descrip = r.string(240, length: 80)
        qformCode = r.int32(344)
        sformCode = r.int32(348)
        quaternB = r.float64(352)
        quaternC = r.float64(360)
        quaternD = r.float64(368)
        qoffsetX = r.float64(376)
        qoffsetY = r.float64(384)
        qoffsetZ = r.float64(392)
        srowX = (0..<4).map { r.float64(400 + 8 * $0) }
        srowY = (0..<4).map { r.float64(432 + 8 * $0) }
        srowZ = (0..<4).map { r.float64(464 + 8 * $0) }
        xyztUnits = r.int32(500)
        intentCode = r.int32(504)
        intentName = r.string(508, length: 16)
    }

    /// Magic bytes as a quoted, escaped string for messages.
    private static func printable(_ bytes: [UInt8]) -> String {
        let text = bytes.map { b -> String in
            (0x20..<0x7F).contains(b) ? String(UnicodeScalar(b)) : "\\x" + String(b, radix: 16)
        }.joined()
        return "\"\(text)\""
    }
}

extension NIfTIHeader.ByteOrder {
    /// This machine's byte order.
    static var native: Self { 1.littleEndian == 1 ? .little : .big }
    /// The other byte order.
    var swapped: Self { self == .little ? .big : .little }
}
