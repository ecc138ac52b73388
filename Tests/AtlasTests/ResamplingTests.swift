import Testing

@testable import Atlas
@testable import NIfTI

/// Masks on other grids: the atlas is resampled nearest-neighbour onto the mask's grid.
struct ResamplingTests {
    @Test func coarserGridTakesTheNearestAtlasVoxel() throws {
        // A 2 x 2 x 1 mask with 2 mm voxels at the origin: mask voxel (i, j, 0) sits at
        // atlas voxel (2i, 2j, 0): labels (0,0)=10, (2,0)=20, (0,2)=0, (2,2)=20.
        let mask = try TinyAtlas.mask([0, 0, 0, 0], shape: [2, 2, 1], srows: [[2, 0, 0, 0], [0, 2, 0, 0], [0, 0, 2, 0]])
        let densities = try DensityCalculator(atlas: TinyAtlas.atlas()).densities(of: mask, semantics: .keep)
        #expect(densities.voxelCounts == [1, 2, 0, 0])
        #expect(densities.densities == [1, 1, nil, nil])
    }

    @Test func tiesRoundUpAsScipyDoes() throws {
        // Shifted by half a voxel in x: mask voxel i sits at atlas x = i + 0.5, which
        // rounds up to i + 1; i = 3 falls outside the atlas. Row y = 0, z = 0 of the
        // atlas is 10 10 20 20, so the mask's first row reads 10 20 20 (outside).
        let mask = try TinyAtlas.mask([Float](repeating: 0.25, count: 4), shape: [4, 1, 1], srows: [[1, 0, 0, 0.5], [0, 1, 0, 0], [0, 0, 1, 0]])
        let grid = try DensityCalculator(atlas: TinyAtlas.atlas()).densities(of: mask, semantics: .keep)
        #expect(grid.voxelCounts == [1, 2, 0, 0])
        #expect(grid.densities[0] == 0.75)
    }

    @Test func flippedAxisIsFollowed() throws {
        // x flipped: mask voxel i sits at world x = 3 - i, i.e. atlas voxel 3 - i.
        // Mask row y = 0, z = 0 reads the atlas row backwards: 20 20 10 10.
        let values: [Float] = [0, 0.5, 1, 1]
        let mask = try TinyAtlas.mask(values, shape: [4, 1, 1], srows: [[-1, 0, 0, 3], [0, 1, 0, 0], [0, 0, 1, 0]])
        let grid = try DensityCalculator(atlas: TinyAtlas.atlas()).densities(of: mask, semantics: .perturb)
        // Twenty_R gets mask voxels 0, 1 (m = 0, 0.5): 0.25; Ten_L gets 2, 3 (m = 1, 1): 1.
        #expect(grid.voxelCounts == [2, 2, 0, 0])
        #expect(grid.densities[0] == 1)
        #expect(grid.densities[1] == 0.25)
    }

    @Test func maskOutsideTheAtlasIsAnError() throws {
        let mask = try TinyAtlas.mask([0, 0, 0, 0], shape: [2, 2, 1], srows: [[1, 0, 0, 100], [0, 1, 0, 0], [0, 0, 1, 0]])
        #expect(throws: AtlasError.noOverlap(path: "mask.nii", atlas: "tiny")) {
            try DensityCalculator(atlas: TinyAtlas.atlas()).densities(of: mask, semantics: .keep)
        }
    }
}

extension ResamplingTests {
    @Test func centresJustOutsideTheGridAreBackgroundAsInScipy() throws {
        // Shifted by -0.3 voxel: mask voxel 0 sits at atlas x = -0.3, outside [0, 3] though it
        // would round to 0; voxels 1, 2, 3 sit at 0.7, 1.7, 2.7 -> atlas 1, 2, 3: 10 20 20.
        let mask = try TinyAtlas.mask([Float](repeating: 0, count: 4), shape: [4, 1, 1], srows: [[1, 0, 0, -0.3], [0, 1, 0, 0], [0, 0, 1, 0]])
        let grid = try DensityCalculator(atlas: TinyAtlas.atlas()).densities(of: mask, semantics: .keep)
        #expect(grid.voxelCounts == [1, 2, 0, 0])
    }
}
