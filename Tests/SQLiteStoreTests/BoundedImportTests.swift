import Foundation
import NIfTIFixtures
import Store
import Testing

@testable import Import
@testable import SQLiteStore

/// Issue 14, bounded in memory for any input: a file, a manifest line or a cell that is not
/// what a mask manifest holds is refused on its own, before it takes the machine's memory.
struct BoundedImportTests {
    let options = ImportOptions(command: "maskdb import masks (test)")
    let header = "path\tfold\trun\tlambda1\tlambda2"

    /// A 2.2 MB gzip file whose header declares 1300³ uint8 voxels (2.2 GB decoded).
    func hugeMask(_ fixture: StudyFixture) throws -> String {
        var file = FixtureFile()
        file.shape = [1300, 1300, 1300]
        (file.datatype, file.bitpix) = (2, 8)
        let bytes = StoredGzip.member(Array(file.bytes.prefix(352))) + [UInt8](repeating: 0, count: 2_135_000)
        let url = fixture.folder.appendingPathComponent("huge.nii.gz")
        try Data(bytes).write(to: url)
        return url.path
    }

    @Test func aMaskDeclaringTooManyVoxelsIsARejectedRowAndTheOtherRowsImport() throws {
        let fixture = try StudyFixture()
        try fixture.mask("ok.nii.gz", seed: 5)
        _ = try hugeMask(fixture)
        let manifest = try fixture.manifest("m.tsv", [header, "ok.nii.gz\t0\t0\t0.1\t0", "huge.nii.gz\t0\t1\t0.1\t0", "ok.nii.gz\t1\t0\t0.1\t0"])
        let store = try SQLiteStore.open(path: fixture.databasePath, create: true)
        let summary = try store.importMasks(manifestPath: manifest, options: options)
        #expect(summary.added == 2)
        #expect(summary.rejected.map(\.line) == [3])
        #expect(summary.rejected.first?.message == "the header declares 1300 x 1300 x 1300 = 2197000000 uint8 voxels (2197000000 bytes), more than a mask may have (33554432 voxels; MASKDB_MAX_VOXELS sets the limit); refused before decoding")
        #expect(try store.masks().count == 2)
    }

    @Test(arguments: [1, 4]) func aFileListedOnThreeRowsIsReadAndDecodedOnce(jobs: Int) throws {
        let fixture = try StudyFixture()
        try fixture.mask("a.nii.gz", seed: 5)
        try fixture.mask("b.nii.gz", seed: 7)
        let manifest = try fixture.manifest("m.tsv", [
            header,
            "a.nii.gz\t0\t0\tnot-a-number\t0",  // rejected before its file is read: the next row reads it
            "a.nii.gz\t0\t0\t0.1\t0", "b.nii.gz\t0\t0\t0.1\t0", "a.nii.gz\t0\t0\t0.01\t0", "./a.nii.gz\t0\t1\t0.1\t0",
        ])
        let store = try SQLiteStore.inMemory()
        let summary = try store.importMasks(manifestPath: manifest, options: ImportOptions(command: "test", jobs: jobs))
        #expect(summary.added == 4 && summary.rejected.map(\.line) == [2])
        #expect(summary.filesRead == 2)
        // The rows that reused a.nii.gz's measurement carry its densities.
        let masks = try store.masks().filter { $0.source.hasSuffix("/a.nii.gz") }
        #expect(masks.count == 3)
        let labels = try store.atlasRegions(named: "aal2").map(\.label)
        let vectors = try store.densityVectors(maskIDs: masks.map(\.id), labels: labels)
        #expect(Set(vectors.values.map { $0.densities.map { $0?.bitPattern } }).count == 1)
    }

    @Test func aBrokenFileOnSeveralRowsIsReadOnceAndRejectsEachRow() throws {
        let fixture = try StudyFixture()
        try Data([0x1F, 0x8B, 1, 2]).write(to: fixture.folder.appendingPathComponent("bad.nii.gz"))
        let manifest = try fixture.manifest("m.tsv", [header, "bad.nii.gz\t0\t0\t0.1\t0", "bad.nii.gz\t0\t0\t0.2\t0"])
        let summary = try SQLiteStore.inMemory().importMasks(manifestPath: manifest, options: options)
        #expect(summary.rejected.map(\.line) == [2, 3] && summary.filesRead == 1)
        #expect(summary.rejected[0].message == summary.rejected[1].message)
    }
}
