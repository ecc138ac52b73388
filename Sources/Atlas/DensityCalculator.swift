import NIfTI
import Synchronization

/// Computes masks' density vectors over one atlas, reusing the atlas's placement on
/// each grid it meets (masks of one study almost always share a grid).
public final class DensityCalculator: Sendable {
    /// The atlas the densities are over.
    public let atlas: Atlas
    /// How far outside [0, 1] a value may lie before the mask is refused.
    public static let rangeTolerance = 1e-3

    private let grids: Mutex<[RegionGrid]>

    /// A calculator over `atlas`.
    public init(atlas: Atlas) {
        self.atlas = atlas
        self.grids = Mutex([atlas.grid])
    }

    /// The density vector of `mask`. NaN voxels, values outside [0, 1] by more than
    /// `rangeTolerance` (unless `clamp`), several volumes, or no overlap with the atlas
    /// are errors that name the mask's file.
    public func densities(of mask: NIfTIImage, semantics: MaskSemantics, clamp: Bool = false) throws(AtlasError) -> RegionDensities {
        let shape = mask.shape
        if shape.count > 3 && shape.dropFirst(3).contains(where: { $0 > 1 }) {
            throw .maskHasVolumes(path: mask.path, shape: shape)
        }
        let gridShape = Array((shape + [1, 1]).prefix(3))
        let grid = try grid(shape: gridShape, affine: mask.affine, path: mask.path)
        guard grid.voxelCounts.contains(where: { $0 > 0 }) else {
            throw .noOverlap(path: mask.path, atlas: atlas.name)
        }
        let sums = try mask.withFloatVoxels { values throws(AtlasError) in
            try Self.regionSums(values, grid: grid, semantics: semantics, clamp: clamp, path: mask.path)
        }
        let densities = zip(sums, grid.voxelCounts).map { sum, count in count > 0 ? sum / Double(count) : nil }
        return RegionDensities(regions: atlas.regions, densities: densities, voxelCounts: grid.voxelCounts)
    }

    /// The atlas on this grid, resampled once and remembered.
    public func grid(shape: [Int], affine: Affine, path: String) throws(AtlasError) -> RegionGrid {
        if let known = grids.withLock({ $0.first { $0.matches(shape: shape, affine: affine) } }) { return known }
        let resampled = try atlas.grid.resampled(toShape: shape, affine: affine, path: path)
        grids.withLock { $0.append(resampled) }
        return resampled
    }

    /// One pass over the voxels: validates each value and adds its perturbation
    /// to its region's sum through the per-voxel region index.
    static func regionSums(
        _ v: UnsafeBufferPointer<Float>, grid: RegionGrid, semantics: MaskSemantics, clamp: Bool, path: String
    ) throws(AtlasError) -> [Double] {
        var sums = [Double](repeating: 0, count: grid.voxelCounts.count)
        var nanCount = 0, outOfRange = 0
        var low = Double.infinity, high = -Double.infinity
        let lowest = Float(-rangeTolerance), highest = Float(1 + rangeTolerance)
        let flip = semantics == .keep
        grid.regionIndex.withUnsafeBufferPointer { regionOf in
            for voxel in 0..<v.count {
                var m = v[voxel]
                if !(m >= lowest && m <= highest) {
                    if m.isNaN { nanCount += 1; continue }
                    low = min(low, Double(m))
                    high = max(high, Double(m))
                    if !clamp { outOfRange += 1; continue }
                }
                if clamp { m = min(max(m, 0), 1) }
                let region = regionOf[voxel]
                if region >= 0 { sums[Int(region)] += Double(flip ? 1 - m : m) }
            }
        }
        if nanCount > 0 { throw .maskHasNaN(path: path, count: nanCount) }
        if outOfRange > 0 { throw .maskOutOfRange(path: path, count: outOfRange, lowest: low, highest: high) }
        return sums
    }
}
