/// A mask's density vector over an atlas: per region, the mean perturbation amount.
public struct RegionDensities: Equatable, Sendable {
    /// The atlas's regions, in ascending label order.
    public var regions: [AtlasRegion]
    /// Per region, the mean perturbation over its voxels; nil when it has no voxel on the mask's grid.
    public var densities: [Double?]
    /// Per region, its number of voxels on the mask's grid.
    public var voxelCounts: [Int]

    /// A density vector.
    public init(regions: [AtlasRegion], densities: [Double?], voxelCounts: [Int]) {
        self.regions = regions
        self.densities = densities
        self.voxelCounts = voxelCounts
    }
}
