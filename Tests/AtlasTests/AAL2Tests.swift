import Testing

@testable import Atlas

/// The shipped AAL2. Expected numbers were counted with nibabel and numpy from
/// `atlas-AAL2_dseg.nii.gz` and its TSV, independently of maskdb.
struct AAL2Tests {
    @Test func shipsOnClinicasGrid() throws {
        let atlas = try Atlas.aal2()
        #expect(atlas.regions.count == 120)
        #expect(atlas.regions.first == AtlasRegion(label: 2001, name: "Precentral_L"))
        #expect(atlas.regions.last?.label == 9170)
        #expect(atlas.grid.shape == [121, 145, 121])
        #expect(atlas.grid.affine.rows[0] == [1.5, 0, 0, -90])
        #expect(atlas.grid.affine.rows[1] == [0, 1.5, 0, -126])
        #expect(atlas.grid.affine.rows[2] == [0, 0, 1.5, -72])
        #expect(atlas.grid.voxelCounts.reduce(0, +) == AAL2Counts.labelled)
        #expect(atlas.grid.voxelCounts.first == AAL2Counts.precentralL)
        #expect(atlas.grid.voxelCounts.allSatisfy { $0 > 0 })
    }

    @Test func orbitofrontalNamesAreTheAtlasPapers() throws {
        let names = Dictionary(uniqueKeysWithValues: try Atlas.aal2().regions.map { ($0.label, $0.name) })
        // Clinica's table has FCmed_L and CFCpost_R here (Atlases/PROVENANCE.md).
        #expect(names[2801] == "OFCmed_L" && names[2802] == "OFCmed_R")
        #expect(names[2821] == "OFCpost_L" && names[2822] == "OFCpost_R")
    }

    @Test func everyLateralRegionHasItsOtherHemisphere() throws {
        // So that merging hemispheres leaves no half-region: each X_L has an X_R, and back.
        let names = Set(try Atlas.aal2().regions.map(\.name))
        let lateral = names.filter { $0.hasSuffix("_L") || $0.hasSuffix("_R") }
        for name in lateral {
            let other = String(name.dropLast()) + (name.hasSuffix("_L") ? "R" : "L")
            #expect(names.contains(other), "\(name) has no \(other)")
        }
        #expect(lateral.count == 112)  // 120 regions, 8 of them (the vermis) on the midline
    }
}

/// Counted with `(data != 0).sum()` and `(data == 2001).sum()` in numpy.
enum AAL2Counts {
    static let labelled = 439_758
    static let precentralL = 8_281
}
