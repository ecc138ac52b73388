@testable import Import
import Store
import StudyCore
import Atlas
import Foundation
import GRDB
import NIfTI
import Testing

@testable import SQLiteStore

/// Attribution maps recorded beside masks: their densities (mean |a|), their settings
/// (no λ needed, a method, a subject) and the manifest's checks.
struct AttributionMapTests {
    let options = ImportOptions(command: "maskdb import masks (test)")

    /// Signed saliencies of order 1e-5 on the fixture's grid, voxel i's from a small formula.
    static let saliencies: [Float] = (0..<1080).map { (i: Int) -> Float in
        let step = Float((i * 37) % 23 - 11)
        return step * 1.7e-6 + (i % 2 == 0 ? 2e-7 : -3e-7)
    }

    @Test func aMapsDensitiesAreTheMeanMagnitudeOverEachRegion() throws {
        let fixture = try StudyFixture()
        let path = try fixture.mask("gradients.nii.gz", seed: 0, values: Self.saliencies)
        let manifest = try fixture.manifest("maps.tsv", [
            "path\tfold\trun\tsemantics\tmethod\tsubject",
            "gradients.nii.gz\t0\t0\tattribution\tgradients\tsub-003_ses-M000",
        ])
        let store = try SQLiteStore.inMemory()
        let summary = try store.importMasks(manifestPath: manifest, options: options)
        #expect(summary.added == 1 && summary.rejected.isEmpty)
        let map = try #require(try store.masks().first)
        #expect(map.lambda1 == nil && map.lambda2 == nil && map.semantics == .attribution)
        #expect(map.method == "gradients" && map.subject == "sub-003_ses-M000")
        #expect(map[.kind] == .text("attribution") && map[.lambda1] == .missing)

        // Independently: each voxel's region on the map's grid, then a plain mean of |a|.
        let image = try NIfTIImage(contentsOf: path)
        let grid = try DensityCalculator(atlas: try Atlas.aal2()).grid(shape: [12, 10, 9], affine: image.affine, path: path)
        var sums = [Double](repeating: 0, count: grid.voxelCounts.count), counts = [Int](repeating: 0, count: sums.count)
        for (voxel, region) in grid.regionIndex.enumerated() where region >= 0 {
            sums[Int(region)] += abs(Double(Self.saliencies[voxel]))
            counts[Int(region)] += 1
        }
        let stored = try store.storedDensities(maskID: map.id)
        #expect(stored.voxelCounts == counts)
        var compared = 0
        for (index, density) in stored.densities.enumerated() {
            guard counts[index] > 0 else { #expect(density == nil); continue }
            let want = sums[index] / Double(counts[index])
            #expect(abs(density! - want) <= 1e-14 * want, "region \(stored.regions[index].name)")
            #expect(want > 0 && want < 3e-5)
            compared += 1
        }
        #expect(compared > 10)
        #expect(try store.verify().isEmpty)
    }

    @Test func theManifestChecksLambdasForMasksAndTheRangeForMasksOnly() throws {
        let fixture = try StudyFixture()
        try fixture.mask("map.nii.gz", seed: 0, values: Self.saliencies.map { $0 * 1e5 })  // values from -1.9 to 1.89
        try fixture.mask("mask.nii.gz", seed: 5)
        let manifest = try fixture.manifest("rows.tsv", [
            "path\tfold\trun\tlambda1\tlambda2\tsemantics\tkind\tmethod",
            "map.nii.gz\t0\t0\t0.1\t\tattribution\t\tgrad-cam",  // a map with λ1 given: fine
            "mask.nii.gz\t0\t0\t\t0.01\tkeep\t\t",  // a mask without λ1
            "map.nii.gz\t0\t0\t0.1\t0.01\tkeep\t\t",  // out of [0, 1] for a mask
            "map.nii.gz\t0\t1\t\t\t\tattribution\tgradients",  // the kind alone says attribution
            "mask.nii.gz\t0\t1\t0.1\t\tperturb\t\t",  // a mask without λ2
            "mask.nii.gz\t0\t2\t0.1\t0.1\tperturb\tattribution\t",  // kind and semantics disagree
        ])
        let store = try SQLiteStore.inMemory()
        let summary = try store.importMasks(manifestPath: manifest, options: options)
        #expect(summary.rejected.map { "\($0.line): \($0.message ?? "")" } == [
            "3: lambda1 is empty; a mask needs lambda1 and lambda2 (only an attribution map, semantics attribution, may leave them empty)",
            "4: 799 voxels are outside [0, 1] (values from -1.9000000953674316 to 1.8899999856948853); a mask must hold numbers in [0, 1]",
            "6: lambda2 is empty; a mask needs lambda1 and lambda2 (only an attribution map, semantics attribution, may leave them empty)",
            "7: kind 'attribution' contradicts semantics 'perturb'; an attribution map has semantics attribution, a mask keep or perturb",
        ])
        let maps = try store.masks()
        #expect(maps.map { "\($0.run) \($0.semantics) \($0.method) \($0.lambda1.map { "\($0)" } ?? "-") \($0.lambda2.map { "\($0)" } ?? "-")" }
            == ["0 attribution grad-cam 0.1 -", "1 attribution gradients - -"])
        // The store refuses a mask without λ itself, whatever writes it.
        #expect(throws: StoreError.self) {
            try store.writeDatabase { db in try db.execute(sql: "UPDATE masks SET semantics = 'keep' WHERE id = ?", arguments: [maps[1].id]) }
        }
    }
}
