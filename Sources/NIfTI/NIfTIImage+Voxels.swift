/// A stored voxel type: how to load it from raw bytes in either byte order.
private protocol RawVoxel {
    associatedtype Bits: FixedWidthInteger
    init(bits: Bits)
    var doubleValue: Double { get }
}

extension UInt8: RawVoxel { init(bits: UInt8) { self = bits }; var doubleValue: Double { Double(self) } }
extension Int8: RawVoxel { init(bits: Int8) { self = bits }; var doubleValue: Double { Double(self) } }
extension UInt16: RawVoxel { init(bits: UInt16) { self = bits }; var doubleValue: Double { Double(self) } }
extension Int16: RawVoxel { init(bits: Int16) { self = bits }; var doubleValue: Double { Double(self) } }
extension UInt32: RawVoxel { init(bits: UInt32) { self = bits }; var doubleValue: Double { Double(self) } }
extension Int32: RawVoxel { init(bits: Int32) { self = bits }; var doubleValue: Double { Double(self) } }
extension UInt64: RawVoxel { init(bits: UInt64) { self = bits }; var doubleValue: Double { Double(self) } }
extension Int64: RawVoxel { init(bits: Int64) { self = bits }; var doubleValue: Double { Double(self) } }
extension Float: RawVoxel { init(bits: UInt32) { self.init(bitPattern: bits) }; var doubleValue: Double { Double(self) } }
extension Double: RawVoxel { init(bits: UInt64) { self.init(bitPattern: bits) }; var doubleValue: Double { self } }

extension NIfTIImage {
    /// The scaled voxel values as Float32, contiguous in file order (x fastest).
    /// Scaling is computed in double precision, as nibabel does, then rounded.
    public func floatVoxels() -> [Float] {
        // The common case, float32 in this machine's byte order and unscaled, is a copy.
        guard isNativeFloat32 else { return decoded(as: Float.self) }
        return withRawVoxelBytes { raw in
            [Float](unsafeUninitializedCapacity: layout.voxelCount) { out, initialized in
                UnsafeMutableRawBufferPointer(out).copyMemory(from: raw)
                initialized = layout.voxelCount
            }
        }
    }

    /// Unscaled float32 in this machine's byte order, stored where a Float can be read in place.
    private var isNativeFloat32: Bool {
        layout.datatype == .float32 && header.byteOrder == .native && header.scaling == nil
            && layout.dataOffset % MemoryLayout<Float>.alignment == 0
    }

    /// Calls `body` with the scaled voxel values as Float32 in file order. For unscaled
    /// float32 data in this machine's byte order (what optimizers write) the values are
    /// read where they lie, without a copy.
    public func withFloatVoxels<R, E: Error>(_ body: (UnsafeBufferPointer<Float>) throws(E) -> R) throws(E) -> R {
        let result: Result<R, E>
        if isNativeFloat32 {
            result = withRawVoxelBytes { raw in
                // Rebound, not assumed: the storage is bound to UInt8 (isNativeFloat32 checked the alignment).
                UnsafeRawBufferPointer(rebasing: raw[..<(layout.voxelCount * MemoryLayout<Float>.stride)]).withMemoryRebound(to: Float.self) { floats in
                    Result { () throws(E) -> R in try body(floats) }
                }
            }
        } else {
            result = floatVoxels().withUnsafeBufferPointer { floats in Result { () throws(E) -> R in try body(floats) } }
        }
        return try result.get()
    }

    /// The scaled voxel values as Float64, contiguous in file order (x fastest).
    public func doubleVoxels() -> [Double] { decoded(as: Double.self) }

    /// Calls `body` with the scaled voxel values as Double, in file order, a block of at
    /// most `blockSize` voxels at a time, with the index of the block's first voxel: one
    /// pass over an image without a whole Double copy of it.
    public func forEachDoubleVoxelBlock<E: Error>(
        blockSize: Int = 65_536, _ body: (UnsafeBufferPointer<Double>, Int) throws(E) -> Void
    ) throws(E) {
        let count = layout.voxelCount
        let block = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(1, min(blockSize, count)))
        defer { block.deallocate() }
        var first = 0
        while first < count {
            let size = min(block.count, count - first)
            decode(first..<first + size, into: block.baseAddress!)
            try body(UnsafeBufferPointer(start: block.baseAddress, count: size), first)
            first += size
        }
    }

    private func decoded<Output: BinaryFloatingPoint>(as: Output.Type) -> [Output] {
        [Output](unsafeUninitializedCapacity: layout.voxelCount) { out, initialized in
            if let start = out.baseAddress { decode(0..<layout.voxelCount, into: start) }
            initialized = layout.voxelCount
        }
    }

    /// Decodes and scales the voxels in `range` into `out` (one slot per voxel).
    private func decode<Output: BinaryFloatingPoint>(_ range: Range<Int>, into out: UnsafeMutablePointer<Output>) {
        switch layout.datatype {
        case .uint8: decode(UInt8.self, range, into: out)
        case .int8: decode(Int8.self, range, into: out)
        case .uint16: decode(UInt16.self, range, into: out)
        case .int16: decode(Int16.self, range, into: out)
        case .uint32: decode(UInt32.self, range, into: out)
        case .int32: decode(Int32.self, range, into: out)
        case .uint64: decode(UInt64.self, range, into: out)
        case .int64: decode(Int64.self, range, into: out)
        case .float32: decode(Float.self, range, into: out)
        case .float64: decode(Double.self, range, into: out)
        }
    }

    private func decode<Raw: RawVoxel, Output: BinaryFloatingPoint>(
        _: Raw.Type, _ range: Range<Int>, into out: UnsafeMutablePointer<Output>
    ) {
        let swapped = header.byteOrder != .native
        let scaling = header.scaling
        let stride = MemoryLayout<Raw.Bits>.size
        withRawVoxelBytes { raw in
            if !swapped && scaling == nil {
                // The common case (an atlas's labels, say), without a test per voxel.
                for (slot, i) in range.enumerated() {
                    out[slot] = Output(Raw(bits: raw.loadUnaligned(fromByteOffset: i * stride, as: Raw.Bits.self)).doubleValue)
                }
                return
            }
            for (slot, i) in range.enumerated() {
                var bits = raw.loadUnaligned(fromByteOffset: i * stride, as: Raw.Bits.self)
                if swapped { bits = bits.byteSwapped }
                let value = Raw(bits: bits).doubleValue
                if let (slope, intercept) = scaling {
                    out[slot] = Output(value * slope + intercept)
                } else {
                    out[slot] = Output(value)
                }
            }
        }
    }
}
