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
}

/// Counted with `(data != 0).sum()` and `(data == 2001).sum()` in numpy.
enum AAL2Counts {
    static let labelled = 439_758
    static let precentralL = 8_281
}
