import NIfTI

/// An atlas laid on one voxel grid: each voxel's region index (-1 for the background)
/// and each region's voxel count. Built once per grid and reused for every mask on it.
public struct RegionGrid: Sendable {
    /// The grid's three sizes.
    public let shape: [Int]
    /// The grid's voxel-to-world affine.
    public let affine: Affine
    /// Per voxel, in file order (x fastest): the region's index, or -1.
    public let regionIndex: [Int32]
    /// Per region: how many voxels it has on this grid.
    public let voxelCounts: [Int]
    /// The runs of consecutive voxels in one region, in file order (the background has none).
    public let runs: [Run]

    /// Consecutive voxels `start..<start + count`, all in region `region`.
    public struct Run: Sendable, Equatable {
        public var start: Int
        public var count: Int
        public var region: Int
    }

    /// A grid from per-voxel region indices.
    public init(shape: [Int], affine: Affine, regionIndex: [Int32], regionCount: Int) {
        precondition(shape.count == 3 && shape.reduce(1, *) == regionIndex.count, "one index per voxel of a 3D grid")
        var counts = [Int](repeating: 0, count: regionCount)
        var runs: [Run] = []
        regionIndex.withUnsafeBufferPointer { index in
            var start = 0
            while start < index.count {
                let region = index[start]
                var end = start + 1
                while end < index.count && index[end] == region { end += 1 }
                if region >= 0 {
                    counts[Int(region)] += end - start
                    runs.append(Run(start: start, count: end - start, region: Int(region)))
                }
                start = end
            }
        }
        self.shape = shape
        self.affine = affine
        self.regionIndex = regionIndex
        self.voxelCounts = counts
        self.runs = runs
    }

    /// True when `shape` and `affine` describe this grid (affines equal to 1e-4 mm).
    public func matches(shape other: [Int], affine otherAffine: Affine) -> Bool {
        Array(other.prefix(3)) == shape && affine.isClose(to: otherAffine)
    }

    /// This grid's regions on another grid, nearest neighbour through the two affines:
    /// each target voxel takes the region of the atlas voxel nearest its centre, or the
    /// background when its centre falls outside the atlas (as nilearn resamples labels).
    public func resampled(toShape target: [Int], affine targetAffine: Affine, path: String) throws(AtlasError) -> RegionGrid {
        guard let inverse = affine.inverted() else { throw .singularAffine(path: "atlas") }
        guard targetAffine.inverted() != nil else { throw .singularAffine(path: path) }
        let t = inverse.multiplied(by: targetAffine)  // target voxel -> atlas voxel
        let (nx, ny, nz) = (target[0], target[1], target[2])
        let (sx, sy, sz) = (shape[0], shape[1], shape[2])
        var indices = [Int32](repeating: -1, count: nx * ny * nz)
        var voxel = 0
        for k in 0..<nz {
            for j in 0..<ny {
                // The atlas coordinates of (0, j, k); each step in i adds the first column.
                let (bx, by, bz) = t.apply(0, Double(j), Double(k))
                for i in 0..<nx {
                    let di = Double(i)
                    if let x = Self.nearest(bx + t[0, 0] * di, size: sx),
                        let y = Self.nearest(by + t[1, 0] * di, size: sy),
                        let z = Self.nearest(bz + t[2, 0] * di, size: sz)
                    {
                        indices[voxel] = regionIndex[x + sx * (y + sy * z)]
                    }
                    voxel += 1
                }
            }
        }
        return RegionGrid(shape: Array(target.prefix(3)), affine: targetAffine, regionIndex: indices, regionCount: voxelCounts.count)
    }

    /// The nearest voxel index, as scipy's order-0 `affine_transform` (which nilearn uses)
    /// picks it: a coordinate outside [0, size - 1] is outside the atlas, ties round up.
    /// Coordinates are snapped to 1e-6 voxel first, so that rounding noise in the affines
    /// does not move a voxel that lies exactly between two atlas voxels.
    private static func nearest(_ coordinate: Double, size: Int) -> Int? {
        let snapped = (coordinate * 1e6).rounded() / 1e6
        guard snapped >= 0, snapped <= Double(size - 1) else { return nil }
        return Int((snapped + 0.5).rounded(.down))
    }
}
