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
                let floats = UnsafeBufferPointer(start: raw.baseAddress?.assumingMemoryBound(to: Float.self), count: layout.voxelCount)
                return Result { () throws(E) -> R in try body(floats) }
            }
        } else {
            result = floatVoxels().withUnsafeBufferPointer { floats in Result { () throws(E) -> R in try body(floats) } }
        }
        return try result.get()
    }

    /// The scaled voxel values as Float64, contiguous in file order (x fastest).
    public func doubleVoxels() -> [Double] { decoded(as: Double.self) }

    private func decoded<Output: BinaryFloatingPoint>(as: Output.Type) -> [Output] {
        switch layout.datatype {
        case .uint8: decoded(UInt8.self, as: Output.self)
        case .int8: decoded(Int8.self, as: Output.self)
        case .uint16: decoded(UInt16.self, as: Output.self)
        case .int16: decoded(Int16.self, as: Output.self)
        case .uint32: decoded(UInt32.self, as: Output.self)
        case .int32: decoded(Int32.self, as: Output.self)
        case .uint64: decoded(UInt64.self, as: Output.self)
        case .int64: decoded(Int64.self, as: Output.self)
        case .float32: decoded(Float.self, as: Output.self)
        case .float64: decoded(Double.self, as: Output.self)
        }
    }

    private func decoded<Raw: RawVoxel, Output: BinaryFloatingPoint>(_: Raw.Type, as: Output.Type) -> [Output] {
        let count = layout.voxelCount
        let swapped = header.byteOrder != .native
        let scaling = header.scaling
        let stride = MemoryLayout<Raw.Bits>.size
        return [Output](unsafeUninitializedCapacity: count) { out, initialized in
            withRawVoxelBytes { raw in
                for i in 0..<count {
                    var bits = raw.loadUnaligned(fromByteOffset: i * stride, as: Raw.Bits.self)
                    if swapped { bits = bits.byteSwapped }
                    let value = Raw(bits: bits).doubleValue
                    if let (slope, intercept) = scaling {
                        out[i] = Output(value * slope + intercept)
                    } else {
                        out[i] = Output(value)
                    }
                }
            }
            initialized = count
        }
    }
}
