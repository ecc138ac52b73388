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

    /// Statistics over `values`.
    public init<C: Collection>(_ values: C) where C.Element == Double {
        var low = Double.infinity, high = -Double.infinity, total = 0.0
        var nans = 0
        for v in values {
            if v.isNaN { nans += 1; continue }
            low = Swift.min(low, v)
            high = Swift.max(high, v)
            total += v
        }
        let counted = values.count - nans
        min = counted > 0 ? low : nil
        max = counted > 0 ? high : nil
        sum = total
        mean = counted > 0 ? total / Double(counted) : nil
        nanCount = nans
    }
}

extension NIfTIImage {
    /// Statistics over the scaled voxel values.
    public func statistics() -> VoxelStatistics { VoxelStatistics(doubleVoxels()) }
}
