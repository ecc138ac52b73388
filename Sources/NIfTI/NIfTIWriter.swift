/// Writes float32 NIfTI-1 images, the format maskdb produces (synthetic masks, exports).
public enum NIfTIWriter {
    /// The bytes of a single-file float32 NIfTI-1 image, little-endian, with both the
    /// sform and the qform set from `affine` (codes `formCode`, 2 = aligned by default),
    /// gzip-compressed when `compressed`.
    public static func float32Bytes(
        voxels: [Float], shape: [Int], affine: Affine, compressed: Bool = true,
        formCode: Int16 = 2, description: String = "maskdb", compressionLevel: Int32 = 6
    ) -> [UInt8] {
        precondition((1...7).contains(shape.count) && shape.allSatisfy { $0 >= 1 }, "1 to 7 positive dimensions")
        precondition(shape.reduce(1, *) == voxels.count, "one value per voxel")
        var header = [UInt8](repeating: 0, count: 352)
        func put<T: FixedWidthInteger>(_ value: T, at offset: Int) {
            withUnsafeBytes(of: value.littleEndian) { header.replaceSubrange(offset..<offset + $0.count, with: $0) }
        }
        func put(_ value: Double, at offset: Int) { put(Float(value).bitPattern, at: offset) }

        let q = affine.quaternionForm
        put(Int32(348), at: 0)
        put(Int16(shape.count), at: 40)
        for (i, size) in shape.enumerated() { put(Int16(clamping: size), at: 42 + 2 * i) }
        for i in shape.count..<7 { put(Int16(1), at: 42 + 2 * i) }
        put(Int16(NIfTIDataType.float32.rawValue), at: 70)
        put(Int16(32), at: 72)
        let zooms = [q.qfac, q.voxelSizes.x, q.voxelSizes.y, q.voxelSizes.z, 1, 1, 1, 1]
        for (i, z) in zooms.enumerated() { put(z, at: 76 + 4 * i) }
        put(352.0, at: 108)  // vox_offset
        put(1.0, at: 112)  // scl_slope: values are stored as they are
        header[123] = 2  // xyzt_units: millimetres
        let text = Array(description.utf8.prefix(79))
        header.replaceSubrange(148..<148 + text.count, with: text)
        put(formCode, at: 252)
        put(formCode, at: 254)
        for (i, v) in [q.b, q.c, q.d, q.offset.x, q.offset.y, q.offset.z].enumerated() { put(v, at: 256 + 4 * i) }
        for row in 0..<3 {
            for column in 0..<4 { put(affine[row, column], at: 280 + 16 * row + 4 * column) }
        }
        header.replaceSubrange(344..<348, with: Array("n+1\0".utf8))

        var file = header
        file.reserveCapacity(352 + 4 * voxels.count)
        for v in voxels { withUnsafeBytes(of: v.bitPattern.littleEndian) { file.append(contentsOf: $0) } }
        return compressed ? Gzip.deflate(file, level: compressionLevel) : file
    }

    /// Writes a float32 image to `path` (gzip-compressed when the name ends in `.gz`),
    /// atomically: the file appears complete or not at all.
    public static func writeFloat32(voxels: [Float], shape: [Int], affine: Affine, to path: String) throws(NIfTIError) {
        let bytes = float32Bytes(voxels: voxels, shape: shape, affine: affine, compressed: path.hasSuffix(".gz"))
        try FileBytes.write(bytes, to: path)
    }
}
