import StudyCore
import Testing
import NIfTIFixtures

@testable import Atlas
@testable import NIfTI

/// Densities on the tiny atlas, every number worked out by hand in the comments.
struct DensityTests {
    /// Mask values in voxel order (x fastest), chosen so every region mean is easy.
    static let values: [Float] = [
        1, 0.5, 0, 0.25, 0.5, 0, 0.75, 1, 0.3, 0.3, 0, 0,
        0.2, 0.4, 0.9, 0.9, 0.6, 0.8, 0.9, 0.9, 1, 0, 0.9, 0.9,
    ]

    @Test func keepMasksMeasureOneMinusM() throws {
        let densities = try DensityCalculator(atlas: TinyAtlas.atlas())
            .densities(of: TinyAtlas.mask(Self.values), semantics: .keep)
        // Ten_L: voxels 0, 1, 4, 5 hold 1, 0.5, 0.5, 0 -> mean of 1 - m = (0 + 0.5 + 0.5 + 1) / 4 = 0.5.
        // Twenty_R: voxels 2, 3, 6, 7, 10, 11 hold 0, 0.25, 0.75, 1, 0, 0 -> m sums to 2, 1 - m to 4: 4/6.
        // Thirty_L: voxels 12, 13, 16, 17, 20, 21 hold 0.2, 0.4, 0.6, 0.8, 1, 0 -> 1 - m sums to 3: 0.5.
        // Forty_R: no voxel.
        #expect(densities.regions.map(\.label) == [10, 20, 30, 40])
        #expect(densities.voxelCounts == [4, 6, 6, 0])
        let d = densities.densities
        #expect(abs(d[0]! - 0.5) < 1e-7)
        #expect(abs(d[1]! - 4.0 / 6.0) < 1e-7)
        #expect(abs(d[2]! - 0.5) < 1e-7)
        #expect(d[3] == nil)
    }

    @Test func perturbMasksMeasureM() throws {
        let densities = try DensityCalculator(atlas: TinyAtlas.atlas())
            .densities(of: TinyAtlas.mask(Self.values), semantics: .perturb)
        // The complements of the keep densities above: 0.5, 2/6, 0.5.
        let d = densities.densities
        #expect(abs(d[0]! - 0.5) < 1e-7)
        #expect(abs(d[1]! - 2.0 / 6.0) < 1e-7)
        #expect(abs(d[2]! - 0.5) < 1e-7)
    }

    @Test func nanVoxelsAreCounted() throws {
        var values = Self.values
        values[0] = .nan
        values[23] = .nan
        #expect(throws: AtlasError.maskHasNaN(path: "mask.nii", count: 2)) {
            try DensityCalculator(atlas: TinyAtlas.atlas()).densities(of: TinyAtlas.mask(values), semantics: .keep)
        }
    }

    @Test func outOfRangeValuesAreRefusedUnlessClamped() throws {
        var values = Self.values
        values[0] = 1.5  // Ten_L
        values[3] = -0.5  // Twenty_R
        values[8] = 1.0005  // background, within the 1e-3 tolerance
        let calculator = try DensityCalculator(atlas: TinyAtlas.atlas())
        let mask = try TinyAtlas.mask(values)
        let error = #expect(throws: AtlasError.maskOutOfRange(path: "mask.nii", count: 2, lowest: -0.5, highest: 1.5)) {
            try calculator.densities(of: mask, semantics: .keep)
        }
        #expect(error?.description == "mask.nii: 2 voxels are outside [0, 1] (values from -0.5 to 1.5); a mask must hold numbers in [0, 1]")
        // Clamped: Ten_L holds 1, 0.5, 0.5, 0 again -> 0.5; Twenty_R 0, 0, 0.75, 1, 0, 0 -> 1 - m sums to 4.25.
        let clamped = try calculator.densities(of: mask, semantics: .keep, clamp: true)
        #expect(abs(clamped.densities[0]! - 0.5) < 1e-7)
        #expect(abs(clamped.densities[1]! - 4.25 / 6) < 1e-7)
    }

    @Test func severalVolumesAreRefusedButATrailingSingletonIsFine() throws {
        let calculator = try DensityCalculator(atlas: TinyAtlas.atlas())
        let twoVolumes = try TinyAtlas.mask(Self.values + Self.values, shape: [4, 3, 2, 2])
        #expect(throws: AtlasError.maskHasVolumes(path: "mask.nii", shape: [4, 3, 2, 2])) {
            try calculator.densities(of: twoVolumes, semantics: .keep)
        }
        let oneVolume = try TinyAtlas.mask(Self.values, shape: [4, 3, 2, 1])
        #expect(try calculator.densities(of: oneVolume, semantics: .keep).voxelCounts == [4, 6, 6, 0])
    }

    @Test func atlasLabelsWithoutANameAreRefused() throws {
        var labels = TinyAtlas.labels
        labels[8] = 77
        labels[9] = 99
        #expect(throws: AtlasError.unnamedLabels(path: "tiny_atlas.nii", labels: [77, 99])) {
            try Atlas(name: "tiny", image: TinyAtlas.image(labels: labels), regions: LabelTable.parse(TinyAtlas.table, path: "t.tsv"))
        }
    }

    @Test func anAtlasWhoseAffineCannotBeInvertedIsRefusedByName() throws {
        let flat = [[1.0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0]]  // no z axis
        #expect(throws: AtlasError.singularAffine(path: "tiny_atlas.nii")) {
            try Atlas(name: "tiny", image: TinyAtlas.image(srows: flat), regions: LabelTable.parse(TinyAtlas.table, path: "t.tsv"))
        }
    }

    @Test func nonIntegerAndFourDimensionalAtlasesAreRefused() throws {
        let regions = try LabelTable.parse(TinyAtlas.table, path: "t.tsv")
        var file = FixtureFile()
        file.shape = [4, 3, 2]
        file.encode(float32: TinyAtlas.labels.map { Float($0) } .enumerated().map { $0 == 5 ? 10.5 : $1 })
        let fractional = try NIfTIImage(fileBytes: file.bytes, path: "f.nii")
        #expect(throws: AtlasError.nonIntegerLabel(path: "f.nii", value: 10.5)) {
            try Atlas(name: "f", image: fractional, regions: regions)
        }
        file.shape = [4, 3, 1, 2]
        let twoVolumes = try NIfTIImage(fileBytes: file.bytes, path: "v.nii")
        #expect(throws: AtlasError.atlasNotThreeDimensional(path: "v.nii", shape: [4, 3, 1, 2])) {
            try Atlas(name: "v", image: twoVolumes, regions: regions)
        }
    }

    @Test func theGridKnowsItsRegionRuns() throws {
        // Runs of one region along x, from the picture in TinyAtlas (region indices 0, 1, 2).
        let runs = try TinyAtlas.atlas().grid.runs.map { [$0.start, $0.count, $0.region] }
        #expect(runs == [[0, 2, 0], [2, 2, 1], [4, 2, 0], [6, 2, 1], [10, 2, 1], [12, 2, 2], [16, 2, 2], [20, 2, 2]])
    }

    @Test func theFastPassAgreesWithTheVoxelByVoxelPass() throws {
        // AAL2's own grid and noisy values with full mantissas; the two passes add in
        // different orders, so they agree to double rounding.
        let grid = try Atlas.aal2().grid
        var state: UInt64 = 42
        let values = (0..<grid.regionIndex.count).map { _ -> Float in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Double(state >> 11) / Double(1 << 53))
        }
        try values.withUnsafeBufferPointer { v in
            #expect(DensityCalculator.allWithin(v, 0, 1))  // so regionSums takes the fast pass
            for semantics in [MaskSemantics.keep, .perturb] {
                let fast = try DensityCalculator.regionSums(v, grid: grid, semantics: semantics, clamp: false, path: "m")
                let slow = try DensityCalculator.regionSumsVoxelByVoxel(v, grid: grid, semantics: semantics, clamp: false, path: "m")
                for index in fast.indices {
                    #expect(abs(fast[index] - slow[index]) <= 1e-12 * max(1, abs(slow[index])))
                }
                #expect(fast.reduce(0, +) > 1000)
            }
        }
    }

    @Test func aMaskSavedAs0To255IsToldToRescaleNotToClamp() throws {
        let values = Self.values.map { ($0 * 255).rounded() }
        let error = #expect(throws: AtlasError.self) {
            try DensityCalculator(atlas: TinyAtlas.atlas()).densities(of: TinyAtlas.mask(values), semantics: .keep)
        }
        // The zeros stay in range; every other value is above 1.
        let outside = values.count { $0 > 1 }
        #expect(error?.description == "mask.nii: \(outside) voxels are outside [0, 1] (values from 51 to 255); a mask must hold numbers in [0, 1]; it looks saved as 0..255: divide it by 255 and save it as floats")
        #expect(error?.suggestsRescaling == true)
        #expect(AtlasError.maskOutOfRange(path: "m", count: 1, lowest: -0.5, highest: 1.5).suggestsRescaling == false)
        #expect(AtlasError.maskOutOfRange(path: "m", count: 1, lowest: 0, highest: 2.5).suggestsRescaling == false)
    }

    @Test func valuesWithinTheToleranceAreClampedSoNoDensityLeavesTheUnitRange() throws {
        // Every value of Ten_L just past 1 and every value of Twenty_R just below 0: optimizers
        // overshoot by a rounding error. Keep densities are 1 - m: clamped, 0 and 1, not
        // -0.0005 and 1.0005.
        var values = Self.values
        for voxel in [0, 1, 4, 5] { values[voxel] = 1.0005 }  // Ten_L's voxels
        for voxel in [2, 3, 6, 7, 10, 11] { values[voxel] = -0.0005 }  // Twenty_R's
        let densities = try DensityCalculator(atlas: TinyAtlas.atlas()).densities(of: TinyAtlas.mask(values), semantics: .keep)
        #expect(densities.densities[0] == 0)
        #expect(densities.densities[1] == 1)
        #expect(densities.densities.allSatisfy { ($0 ?? 0) >= 0 && ($0 ?? 0) <= 1 })
    }
}
