import Foundation
import GRDB
import Import
import Store
import StudyCore
import Testing

@testable import SQLiteStore

/// The packed density vectors (migration 0006) the analyses read instead of a row per region.
struct DensityVectorTests {
    @Test func packingKeepsEveryValueAndTheMissingOnes() throws {
        let densities: [Double?] = [0, 1, nil, 0.1 + 0.2, 5e-324, -0.0, .greatestFiniteMagnitude]
        let bytes = PackedDensities.pack(densities: densities)
        #expect(bytes.count == 56)
        let unpacked = try #require(PackedDensities.densities(bytes, count: 7))
        #expect(zip(unpacked, densities).allSatisfy { $0?.bitPattern == $1?.bitPattern })
        #expect(PackedDensities.densities(bytes, count: 6) == nil && PackedDensities.densities(bytes.prefix(55), count: 7) == nil)
        let voxels = [0, 1, 1 << 40, 116]
        #expect(PackedDensities.voxels(PackedDensities.pack(voxels: voxels), count: 4) == voxels)
        // Little-endian whatever the machine: 1.0 is 3F F0 00 … read from the last byte.
        #expect([UInt8](PackedDensities.pack(densities: [1])) == [0, 0, 0, 0, 0, 0, 0xF0, 0x3F])
        #expect([UInt8](PackedDensities.pack(voxels: [258])) == [2, 1, 0, 0, 0, 0, 0, 0])
    }

    /// A database recorded before 0006: the migration packs every mask's rows, and the
    /// analyses then read exactly what the rows hold.
    @Test func theMigrationPacksTheVectorsOfAnEarlierDatabase() throws {
        let fixture = try StudyFixture()
        let manifest = try fixture.smallStudy()
        do {
            let store = try SQLiteStore.open(path: fixture.databasePath, create: true)
            _ = try store.importMasks(manifestPath: manifest, options: ImportOptions(command: "maskdb import masks masks.tsv"))
            // Back to the schema before 0006, with a region's density NULL as an empty region's is.
            try store.writeDatabase { db in
                try db.execute(sql: """
                    DROP TABLE density_vectors;
                    DELETE FROM grdb_migrations WHERE identifier = '0006_density_vectors';
                    UPDATE mask_densities SET density = NULL, voxels = 0 WHERE mask_id = 1 AND label = (SELECT min(label) FROM mask_densities);
                    """)
            }
        }
        let store = try SQLiteStore.open(path: fixture.databasePath, create: false)
        #expect(try store.count("density_vectors") == 8)
        let labels = try store.atlasRegions(named: "aal2").map(\.label)
        let vectors = try store.densityVectors(maskIDs: store.masks().map(\.id), labels: labels)
        for mask in try store.masks() {
            let stored = try store.storedDensities(maskID: mask.id)
            #expect(vectors[mask.id] == StoredVector(densities: stored.densities, voxels: stored.voxelCounts))
        }
        #expect(vectors[1]?.densities.first == .some(nil) && vectors[1]?.voxels.first == 0)
        #expect(try store.verify().isEmpty)
    }

    /// Every write that stores densities stores the packed vector too: a new file, a file
    /// measured before (copied), an amendment that changes the semantics, a removal.
    /// Ids filling most of their range are read as the range, the others skipped; sparse ones
    /// one by one (`IDSelection`): both give exactly the selected masks' vectors, evaluations
    /// and manifests, those of every mask read whole.
    @Test func aSelectionReadsExactlyItsMasksWhetherDenseOrSparse() throws {
        let fixture = try StudyFixture()
        let store = try SQLiteStore.open(path: fixture.databasePath, create: true)
        _ = try store.importMasks(manifestPath: try fixture.smallStudy(), options: ImportOptions(command: "maskdb import masks masks.tsv"))
        let all = try store.studyData(where: .all)
        #expect(all.masks.count == 8)
        let paths = try store.manifestPaths(maskIDs: all.masks.map(\.id))
        let selections: [(name: String, filter: FilterExpression, count: Int)] = [
            ("dense", .not(.equal(.fold, .number(0))), 4),  // fold 1: ids 5 to 8, read as a range
            ("holes", .equal(.lambda1, .number(0.1)), 4),  // 1, 3, 5, 7: the range 1 to 7, the others skipped
            ("sparse", .and([.equal(.run, .number(0)), .equal(.lambda1, .number(0.1))]), 2),  // 1 and 5: looked up
        ]
        for (name, filter, count) in selections {
            let data = try store.studyData(where: filter)
            let ids = data.masks.map(\.id)
            #expect(ids.count == count, "\(name)")
            #expect(Set(data.vectors.keys) == Set(ids), "\(name)")
            for id in ids { #expect(data.vectors[id] == all.vectors[id], "\(name)") }
            #expect(try store.manifestPaths(maskIDs: ids) == paths.filter { ids.contains($0.key) }, "\(name)")
        }
    }

    @Test func everyWriteKeepsTheVectorsAndTheRowsTogether() throws {
        let fixture = try StudyFixture()
        let store = try SQLiteStore.open(path: fixture.databasePath, create: true)
        let options = ImportOptions(command: "maskdb import masks m.tsv")
        try fixture.mask("a.nii.gz", seed: 5)
        let header = "path\tfold\trun\tlambda1\tlambda2\tsemantics"
        _ = try store.importMasks(
            manifestPath: try fixture.manifest("m.tsv", [header, "a.nii.gz\t0\t0\t0.1\t0.001\tkeep", "a.nii.gz\t1\t0\t0.1\t0.001\tkeep"]),
            options: options)
        #expect(try store.count("density_vectors") == 2 && store.verify().isEmpty)
        let amended = try store.importMasks(
            manifestPath: try fixture.manifest("r.tsv", [header, "a.nii.gz\t0\t0\t0.1\t0.001\tperturb"]),
            options: ImportOptions(replace: true, command: "maskdb import masks r.tsv --replace"))
        #expect(amended.replaced == 1)
        let labels = try store.atlasRegions(named: "aal2").map(\.label)
        let vectors = try store.densityVectors(maskIDs: [1, 2], labels: labels)
        // keep and perturb densities of one file add up to 1 wherever the region has voxels.
        for (index, keep) in vectors[2]!.densities.enumerated() {
            #expect((keep.map { 1 - $0 }).map { abs($0 - vectors[1]!.densities[index]!) < 1e-12 } ?? (vectors[1]!.densities[index] == nil))
        }
        #expect(try store.verify().isEmpty)
        _ = try store.removeMasks([1], command: "maskdb rm 1", dryRun: false)
        #expect(try store.count("density_vectors") == 1 && store.verify().isEmpty)
    }
}
