/// Writes fixed-offset fields in either byte order: `ByteReader`'s counterpart.
struct ByteWriter {
    private(set) var bytes: [UInt8]
    let swapped: Bool

    /// `count` zero bytes.
    init(count: Int, swapped: Bool) {
        bytes = [UInt8](repeating: 0, count: count)
        self.swapped = swapped
    }

    /// Element `index` of an integer field; a value that does not fit its type saturates.
    mutating func put(integer value: Int, _ slot: FieldSlot, _ index: Int) {
        let offset = slot.offset(of: index)
        switch slot.storage {
        case .uint8: bytes[offset] = UInt8(clamping: value)
        case .int16: put(UInt16(bitPattern: Int16(clamping: value)), at: offset)
        case .int32: put(UInt32(bitPattern: Int32(clamping: value)), at: offset)
        case .int64: put(UInt64(bitPattern: Int64(value)), at: offset)
        case .float32, .float64, .char: preconditionFailure("\(slot.storage) is not an integer type")
        }
    }

    /// Element `index` of a numeric field. An integer field (NIfTI-2's `vox_offset`) takes
    /// the whole part, saturating, and 0 for NaN.
    mutating func put(real value: Double, _ slot: FieldSlot, _ index: Int) {
        switch slot.storage {
        case .float32: put(Float(value).bitPattern, at: slot.offset(of: index))
        case .float64: put(value.bitPattern, at: slot.offset(of: index))
        case .uint8, .int16, .int32, .int64:
            let whole = value.isNaN ? 0 : value >= Double(Int.max) ? .max : value <= Double(Int.min) ? .min : Int(value)
            put(integer: whole, slot, index)
        case .char: preconditionFailure("char is not a numeric type")
        }
    }

    /// A string field: at most `count - 1` bytes of UTF-8, so a NUL always ends it.
    mutating func put(text: String, _ slot: FieldSlot) {
        put(bytes: Array(text.utf8.prefix(slot.count - 1)), slot)
    }

    /// Raw bytes at the start of a field (at most its size).
    mutating func put(bytes raw: [UInt8], _ slot: FieldSlot) {
        let raw = raw.prefix(slot.range.count)
        bytes.replaceSubrange(slot.offset..<slot.offset + raw.count, with: raw)
    }

    private mutating func put<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        withUnsafeBytes(of: swapped ? value.byteSwapped : value) {
            bytes.replaceSubrange(offset..<offset + $0.count, with: $0)
        }
    }
}

extension NIfTIHeader {
    /// The header in its format and byte order, through the same field table the reader
    /// uses, followed by the 4 extension bytes (zero: no extensions). Fields maskdb does
    /// not keep are zero; `sizeof_hdr` and the single-file magic follow `format`.
    func encoded() -> [UInt8] {
        var w = ByteWriter(count: headerSize + 4, swapped: byteOrder != .native)
        for (slot, value) in Self.layout(format) {
            switch value {
            case .integer(let property): w.put(integer: self[keyPath: property], slot, 0)
            case .integers(let property):
                for (i, v) in self[keyPath: property].prefix(slot.count).enumerated() { w.put(integer: v, slot, i) }
            case .real(let property): w.put(real: self[keyPath: property], slot, 0)
            case .reals(let property):
                for (i, v) in self[keyPath: property].prefix(slot.count).enumerated() { w.put(real: v, slot, i) }
            case .text(let property): w.put(text: self[keyPath: property], slot)
            case .headerSize: w.put(integer: headerSize, slot, 0)
            case .magic: w.put(bytes: format.singleFileMagic, slot)
            case .unused: break
            }
        }
        return w.bytes
    }
}
