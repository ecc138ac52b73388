import StudyCore
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
    /// are errors that name the mask's file. An attribution map's density is the mean of
    /// |a|: any finite value is fine (`clamp` does not apply), NaN and infinity are not.
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
            semantics == .attribution
                ? try Self.regionMagnitudeSums(values, grid: grid, path: mask.path)
                : try Self.regionSums(values, grid: grid, semantics: semantics, clamp: clamp, path: mask.path)
        }
        let densities = zip(sums, grid.voxelCounts).map { sum, count in count > 0 ? sum / Double(count) : nil }
        return RegionDensities(regions: atlas.regions, densities: densities, voxelCounts: grid.voxelCounts)
    }

    /// At most this many grids are remembered: a resampled grid takes 4 bytes a voxel, so
    /// masks on ever new grids must not pile them up (a study's masks share one or two).
    static let rememberedGrids = 8

    /// The atlas on this grid, resampled once and remembered (the first `rememberedGrids`).
    public func grid(shape: [Int], affine: Affine, path: String) throws(AtlasError) -> RegionGrid {
        if let known = grids.withLock({ $0.first { $0.matches(shape: shape, affine: affine) } }) { return known }
        // Resampled outside the lock; if another worker resampled the same grid meanwhile, its copy is kept.
        let resampled = try atlas.grid.resampled(toShape: shape, affine: affine, path: path)
        return grids.withLock { grids in
            if let known = grids.first(where: { $0.matches(shape: shape, affine: affine) }) { return known }
            if grids.count < Self.rememberedGrids { grids.append(resampled) }
            return resampled
        }
    }

    /// Each region's sum of perturbations (m, or 1 - m for keep masks). Masks whose values
    /// all lie in [0, 1] (nearly all) take two fast passes, a check and a sum over the
    /// grid's runs; any other is measured voxel by voxel, to clamp it (values within the
    /// tolerance always, so no density leaves [0, 1]) or to say what is wrong.
    static func regionSums(
        _ v: UnsafeBufferPointer<Float>, grid: RegionGrid, semantics: MaskSemantics, clamp: Bool, path: String
    ) throws(AtlasError) -> [Double] {
        // The runs index `v` unchecked: one voxel per grid voxel, or a bug to stop at.
        precondition(v.count == grid.regionIndex.count, "a mask of \(v.count) voxels on a grid of \(grid.regionIndex.count)")
        guard allWithin(v, 0, 1) else {
            return try regionSumsVoxelByVoxel(v, grid: grid, semantics: semantics, clamp: clamp, path: path)
        }
        let flip = semantics == .keep
        var sums = [Double](repeating: 0, count: grid.voxelCounts.count)
        for run in grid.runs {
            let sum = runSum(v, run) { $0 }
            sums[run.region] += flip ? Double(run.count) - sum : sum
        }
        return sums
    }

    /// The sum of `value` of the voxels of `run`, four sums at once (one sum's additions
    /// would wait on each other). Inlined, so each caller's `value` costs no call.
    @inline(__always)
    private static func runSum(_ v: UnsafeBufferPointer<Float>, _ run: RegionGrid.Run, _ value: (Float) -> Float) -> Double {
        var (s0, s1, s2, s3) = (0.0, 0.0, 0.0, 0.0)
        var voxel = run.start
        let end = run.start + run.count
        while voxel + 4 <= end {
            s0 += Double(value(v[voxel]))
            s1 += Double(value(v[voxel + 1]))
            s2 += Double(value(v[voxel + 2]))
            s3 += Double(value(v[voxel + 3]))
            voxel += 4
        }
        while voxel < end {
            s0 += Double(value(v[voxel]))
            voxel += 1
        }
        return (s0 + s1) + (s2 + s3)
    }

    /// Each region's sum of |a| for an attribution map: a finiteness check, then a sum over
    /// the grid's runs, as the masks' fast pass (which this leaves alone).
    static func regionMagnitudeSums(_ v: UnsafeBufferPointer<Float>, grid: RegionGrid, path: String) throws(AtlasError) -> [Double] {
        precondition(v.count == grid.regionIndex.count, "a map of \(v.count) voxels on a grid of \(grid.regionIndex.count)")
        // Every voxel, in a region or not: a broken file is refused whole, as a mask's NaN.
        guard allWithin(v, -.greatestFiniteMagnitude, .greatestFiniteMagnitude) else {
            throw .mapNotFinite(path: path, count: v.count { !$0.isFinite })
        }
        var sums = [Double](repeating: 0, count: grid.voxelCounts.count)
        for run in grid.runs { sums[run.region] += runSum(v, run) { abs($0) } }
        return sums
    }

    /// True when every value lies in `lowest...highest` (so none is NaN).
    static func allWithin(_ v: UnsafeBufferPointer<Float>, _ lowest: Float, _ highest: Float) -> Bool {
        guard let base = v.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        var inside = SIMDMask<SIMD16<Int32>>(repeating: true)
        var voxel = 0
        while voxel + 16 <= v.count {
            let x = raw.loadUnaligned(fromByteOffset: voxel * MemoryLayout<Float>.stride, as: SIMD16<Float>.self)
            inside .&= (x .>= lowest) .& (x .<= highest)
            voxel += 16
        }
        guard all(inside) else { return false }
        return v[voxel...].allSatisfy { $0 >= lowest && $0 <= highest }
    }

    /// One pass over the voxels: validates each value, clamps it into [0, 1] when it lies
    /// within the tolerance (or `clamp`), and adds its perturbation to its region's sum
    /// through the per-voxel region index.
    static func regionSumsVoxelByVoxel(
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
                m = min(max(m, 0), 1)
                let region = regionOf[voxel]
                if region >= 0 { sums[Int(region)] += flip ? 1 - Double(m) : Double(m) }  // in double, as the fast pass
            }
        }
        if nanCount > 0 { throw .maskHasNaN(path: path, count: nanCount) }
        if outOfRange > 0 { throw .maskOutOfRange(path: path, count: outOfRange, lowest: low, highest: high) }
        return sums
    }
}
