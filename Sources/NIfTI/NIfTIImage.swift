/// A decoded NIfTI image: its header, affine and voxel bytes (in the file's byte order).
public struct NIfTIImage: Sendable {
    /// The path (or name) the image was read from, used in messages.
    public let path: String
    /// The header as stored.
    public let header: NIfTIHeader
    /// Where the voxels are, their datatype and count.
    public let layout: VoxelLayout
    /// The voxel-to-world affine nibabel would use.
    public let affine: Affine
    /// Which header fields `affine` came from.
    public let affineSource: AffineSource
    /// The (inflated) file: header, extensions and voxels.
    let storage: [UInt8]

    /// The image's shape, `dim[1...dim[0]]`.
    public var shape: [Int] { header.shape }

    /// The voxel data's raw bytes in the file's byte order.
    public func withRawVoxelBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try storage.withUnsafeBytes { all in
            try body(UnsafeRawBufferPointer(rebasing: all[layout.dataOffset..<layout.requiredBytes]))
        }
    }
}
