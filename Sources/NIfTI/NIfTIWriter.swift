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
        let q = affine.quaternionForm
        var header = NIfTIHeader()
        header.dim = [shape.count] + shape + Array(repeating: 1, count: 7 - shape.count)
        (header.datatypeCode, header.bitpix) = (NIfTIDataType.float32.rawValue, 32)
        header.pixdim = [q.qfac, q.voxelSizes.x, q.voxelSizes.y, q.voxelSizes.z, 1, 1, 1, 1]
        header.voxOffset = 352
        header.sclSlope = 1  // values are stored as they are
        header.xyztUnits = 2  // millimetres
        header.descrip = description
        (header.qformCode, header.sformCode) = (Int(formCode), Int(formCode))
        (header.quaternB, header.quaternC, header.quaternD) = (q.b, q.c, q.d)
        (header.qoffsetX, header.qoffsetY, header.qoffsetZ) = q.offset
        let rows = affine.rows
        (header.srowX, header.srowY, header.srowZ) = (rows[0], rows[1], rows[2])

        var file = header.encoded()
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
