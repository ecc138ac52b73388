import Glibc

/// The largest image maskdb decodes: a mask lives on a CNN's input grid, so a header
/// declaring far more voxels than that grid is damaged or not a mask, and decoding it
/// (bytes, then a float copy) could take the machine's memory from every other row.
///
/// The default, 2^25 = 33,554,432 voxels, is about 15.8 times the 121 x 145 x 121 atlas
/// grid (2,122,945 voxels) and holds a 1 mm MNI grid (182 x 218 x 182) 4.6 times: decoding
/// one such image takes at most 8 bytes a voxel (float64) plus a 4-byte float copy, 384 MiB.
/// `MASKDB_MAX_VOXELS` in the environment sets another limit (a whole number of voxels).
public enum MaskSizeLimit {
    /// The environment variable that sets the limit.
    public static let environmentVariable = "MASKDB_MAX_VOXELS"

    /// The default limit on a decoded image's voxels.
    public static let defaultVoxels = 1 << 25

    /// This process's limit, read once from the environment.
    public static let voxels: Int = {
        guard let value = getenv(environmentVariable), let limit = Int(String(cString: value)), limit > 0 else {
            return defaultVoxels
        }
        return limit
    }()

    /// The limit on an atlas image: as many voxels as a mask may have, and never fewer
    /// than the default, so that lowering the mask limit leaves the atlases readable.
    public static var atlasVoxels: Int { max(voxels, defaultVoxels) }

    /// The most bytes a file of an image within the limit may hold: the largest voxels
    /// (8 bytes), deflate's worst overhead on incompressible data (under 1%) and 1 MiB of
    /// header and extensions. A larger file is refused before it is read.
    public static func fileBytes(voxels: Int = voxels) -> Int {
        let data = voxels.multipliedReportingOverflow(by: 8)
        return data.overflow ? Int.max : data.partialValue + data.partialValue / 64 + (1 << 20)
    }

    /// Refuses a header declaring more than `limit` voxels, before anything is inflated.
    static func check(_ header: NIfTIHeader, layout: VoxelLayout, path: String, limit: Int) throws(NIfTIError) {
        guard layout.voxelCount > limit else { return }
        let dims = header.shape.map(String.init).joined(separator: " x ")
        throw .tooLarge(
            path: path,
            detail: "the header declares \(dims) = \(layout.voxelCount) \(layout.datatype.name) voxels (\(layout.dataBytes) bytes), more than a mask may have (\(limit) voxels; \(environmentVariable) sets the limit); refused before decoding")
    }
}
