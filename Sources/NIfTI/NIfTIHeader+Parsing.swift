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

    /// Element `index` of an integer field, widened to Int (`dim` beyond Int's range,
    /// possible on 32-bit machines only, saturates; validation refuses it as too large).
    func integer(_ slot: FieldSlot, _ index: Int) -> Int {
        let offset = slot.offset(of: index)
        switch slot.storage {
        case .uint8: return uint8(offset)
        case .int16: return int16(offset)
        case .int32: return int32(offset)
        case .int64: return Int(clamping: int64(offset))
        case .float32, .float64, .char: preconditionFailure("\(slot.storage) is not an integer type")
        }
    }

    /// Element `index` of a numeric field as a Double (NIfTI-2's int64 `vox_offset` too).
    func real(_ slot: FieldSlot, _ index: Int) -> Double {
        let offset = slot.offset(of: index)
        switch slot.storage {
        case .float32: return float32(offset)
        case .float64: return float64(offset)
        case .int64: return Double(int64(offset))
        case .uint8, .int16, .int32: return Double(integer(slot, index))
        case .char: preconditionFailure("char is not a numeric type")
        }
    }

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
        // Only the magic can fail, so its place in the table does not change which error a file gets.
        for (slot, value) in Self.layout(format) { try read(value, at: slot, from: reader, path: path) }
    }

    /// Reads one field into its property, or checks the magic.
    private mutating func read(_ value: FieldValue, at slot: FieldSlot, from r: ByteReader, path: String) throws(NIfTIError) {
        switch value {
        case .integer(let property): self[keyPath: property] = r.integer(slot, 0)
        case .integers(let property): self[keyPath: property] = (0..<slot.count).map { r.integer(slot, $0) }
        case .real(let property): self[keyPath: property] = r.real(slot, 0)
        case .reals(let property): self[keyPath: property] = (0..<slot.count).map { r.real(slot, $0) }
        case .text(let property): self[keyPath: property] = r.string(slot.offset, length: slot.count)
        case .magic:
            let magic = Array(r.bytes[slot.range])
            if magic == format.pairMagic { throw .headerImagePair(path: path) }
            guard magic == format.singleFileMagic else { throw .badMagic(path: path, magic: Self.printable(magic)) }
        case .headerSize, .unused: break
        }
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
