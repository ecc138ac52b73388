import StudyCore
import Testing
import NIfTIFixtures

@testable import Atlas
@testable import NIfTI

/// Attribution maps on the tiny atlas: the density of a region is the mean of |a| over
/// its voxels, computed here from the atlas's labels by a plain loop.
struct AttributionDensityTests {
    /// Signed saliencies of order 1e-5, voxel order (x fastest); background voxels too.
    static let values: [Float] = (0..<24).map { i in Float((i % 5) - 2) * 1.25e-5 + Float(i) * 3e-7 }

    /// Mean |a| per label of `TinyAtlas.labels`, in Double over the stored Floats.
    static func expected(_ values: [Float]) -> [Int: Double] {
        var sums: [Int: (Double, Int)] = [:]
        for (label, value) in zip(TinyAtlas.labels, values) where label != 0 {
            let (sum, count) = sums[Int(label)] ?? (0, 0)
            sums[Int(label)] = (sum + abs(Double(value)), count + 1)
        }
        return sums.mapValues { $0.0 / Double($0.1) }
    }

    @Test func anAttributionMapMeasuresTheMeanMagnitude() throws {
        let densities = try DensityCalculator(atlas: TinyAtlas.atlas())
            .densities(of: TinyAtlas.mask(Self.values), semantics: .attribution)
        let expected = Self.expected(Self.values)
        #expect(densities.voxelCounts == [4, 6, 6, 0])
        for (region, density) in zip(densities.regions, densities.densities) {
            guard let want = expected[region.label] else {
                #expect(density == nil)
                continue
            }
            #expect(abs(density! - want) <= 1e-15 * want, "\(region.name)")
        }
        // Ten_L by hand: voxels 0, 1, 4, 5 hold -2.5e-5, -1.22e-5 (1.25e-5 - 3e-7 below), 2.62e-5, -2.35e-5.
        let ten = [0, 1, 4, 5].map { abs(Double(Self.values[$0])) }.reduce(0, +) / 4
        #expect(abs(densities.densities[0]! - ten) <= 1e-15 * ten)
    }

    @Test func aMapMayHoldAnyFiniteValueButNoNaNNorInfinity() throws {
        let calculator = try DensityCalculator(atlas: TinyAtlas.atlas())
        // Far outside [0, 1], where a mask is refused: a map is measured.
        let large = Self.values.map { $0 * 1e6 }
        #expect(throws: AtlasError.self) { try calculator.densities(of: TinyAtlas.mask(large), semantics: .perturb) }
        let measured = try calculator.densities(of: TinyAtlas.mask(large), semantics: .attribution)
        #expect(abs(measured.densities[1]! - Self.expected(large)[20]!) <= 1e-15 * Self.expected(large)[20]!)
        var broken = Self.values
        broken[8] = .nan  // background: a broken file is refused whole
        broken[13] = .infinity
        broken[14] = -.infinity
        let error = #expect(throws: AtlasError.mapNotFinite(path: "mask.nii", count: 3)) {
            try calculator.densities(of: TinyAtlas.mask(broken), semantics: .attribution)
        }
        #expect(error?.description == "mask.nii: 3 voxels are NaN or infinite; an attribution map must hold finite numbers")
    }

    @Test func masksKeepTheirDensitiesWhateverMapsDo() throws {
        // The masks' pass is untouched: keep is still the mean of 1 - m (see DensityTests).
        let densities = try DensityCalculator(atlas: TinyAtlas.atlas())
            .densities(of: TinyAtlas.mask(DensityTests.values), semantics: .keep)
        #expect(abs(densities.densities[0]! - 0.5) < 1e-7)
        #expect(MaskSemantics.attribution.kind == .attribution && MaskSemantics.perturb.kind == .mask)
    }
}
