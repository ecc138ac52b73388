/// Summary statistics of an image's scaled voxel values, NaN left out.
public struct VoxelStatistics: Equatable, Sendable {
    /// The smallest value, nil when every voxel is NaN.
    public var min: Double?
    /// The largest value, nil when every voxel is NaN.
    public var max: Double?
    /// The sum of the non-NaN values.
    public var sum: Double
    /// The mean of the non-NaN values, nil when every voxel is NaN.
    public var mean: Double?
    /// How many voxels are NaN.
    public var nanCount: Int
}

extension NIfTIImage {
    /// Statistics over the scaled voxel values, in one pass, block by block.
    public func statistics() -> VoxelStatistics {
        var low = Double.infinity, high = -Double.infinity, total = 0.0
        var nans = 0
        forEachDoubleVoxelBlock { values, _ in
            for v in values {
                if v.isNaN { nans += 1; continue }
                low = Swift.min(low, v)
                high = Swift.max(high, v)
                total += v
            }
        }
        let counted = layout.voxelCount - nans
        return VoxelStatistics(
            min: counted > 0 ? low : nil, max: counted > 0 ? high : nil, sum: total,
            mean: counted > 0 ? total / Double(counted) : nil, nanCount: nans)
    }
}
