@testable import Import
import Store
import StudyCore
import Atlas
import Foundation
import GRDB
import NIfTI
import Testing

@testable import SQLiteStore

struct ImportMasksTests {
    let options = ImportOptions(command: "maskdb import masks (test)")

    @Test(arguments: StoreKind.allCases)
    func recordsEveryRowOnceAndReimportIsANoOp(kind: StoreKind) throws {
        let fixture = try StudyFixture()
        let store = try kind.open(fixture)
        let manifest = try fixture.smallStudy()
        let first = try store.importMasks(manifestPath: manifest, options: options)
        #expect(first.added == 8 && first.unchanged == 0 && first.rejected.isEmpty)
        let second = try store.importMasks(manifestPath: manifest, options: options)
        #expect(second.added == 0 && second.unchanged == 8)
        let masks = try store.masks()
        #expect(masks.count == 8)
        #expect(Set(masks.map { "\($0.fold)/\($0.run)" }) == ["0/0", "0/1", "1/0", "1/1"])
        #expect(masks.allSatisfy { $0.params.json == "{\"optimizer\":\"adam\"}" && $0.subjects == "AD" && $0.study == "default" })
        #expect(try store.models().map(\.maskCount) == [2, 2, 2, 2])
        #expect(try store.verify().isEmpty)
    }

    @Test func storedDensitiesEqualTheFilesOwn() throws {
        let fixture = try StudyFixture()
        let store = try SQLiteStore.inMemory()
        _ = try store.importMasks(manifestPath: try fixture.smallStudy(), options: options)
        let calculator = DensityCalculator(atlas: try Atlas.aal2())
        for mask in try store.masks() {
            let fromFile = try calculator.densities(of: NIfTIImage(contentsOf: mask.source), semantics: .keep)
            #expect(try store.storedDensities(maskID: mask.id) == fromFile)
        }
    }

    @Test func aRecordedFileUnderNewSettingsKeepsItsOwnGridAndDensities() throws {
        let fixture = try StudyFixture()
        let store = try SQLiteStore.inMemory()
        let first = try fixture.smallStudy()
        let files = try store.importMasks(manifestPath: first, options: options).added
        // The same files at another λ2 (measured already: copied, not decoded), and as
        // perturb masks (measured anew: other densities).
        let unix = try String(contentsOfFile: first, encoding: .utf8).split(separator: "\n").map(String.init)
        let rows = unix.dropFirst().map { $0.replacingOccurrences(of: "\t0.001\t", with: "\t0.002\t") + "\tkeep" }
            + unix.dropFirst().map { $0 + "\tperturb" }
        let again = try fixture.manifest("again.tsv", [unix[0] + "\tsemantics"] + rows)
        let summary = try store.importMasks(manifestPath: again, options: options)
        #expect(summary.added == 2 * files && summary.rejected.isEmpty)
        let calculator = DensityCalculator(atlas: try Atlas.aal2())
        let grids = try store.read { db in
            try Row.fetchAll(db, sql: "SELECT DISTINCT nifti_sha256, dim_x, dim_y, dim_z, affine FROM masks").count
        }
        #expect(grids == files)  // one grid per file, whichever way it was recorded
        for mask in try store.masks() {
            let semantics = mask.semantics
            let fromFile = try calculator.densities(of: NIfTIImage(contentsOf: mask.source), semantics: semantics)
            #expect(try store.storedDensities(maskID: mask.id) == fromFile, "mask \(mask.id)")
        }
        #expect(try store.masks().count == 3 * files)
        #expect(try store.verify().isEmpty)
    }

    @Test func storedBytesAreTheFilesBytes() throws {
        let fixture = try StudyFixture()
        let store = try SQLiteStore.inMemory()
        _ = try store.importMasks(manifestPath: try fixture.smallStudy(), options: options)
        for mask in try store.masks() {
            let original = try FileBytes.read(mask.source)
            #expect(try store.maskFileBytes(maskID: mask.id) == original)
            #expect(SHA256Digest.hex(original) == mask.sha256)
        }
    }

    @Test func eachKindOfBadRowIsRejectedWithItsReason() throws {
        let fixture = try StudyFixture()
        try fixture.mask("good.nii.gz", seed: 5)
        try fixture.mask("hot.nii.gz", seed: 5, values: [Float](repeating: 1.5, count: 1080))
        try Data("not a nifti file at all".utf8).write(to: fixture.folder.appendingPathComponent("junk.nii.gz"))
        let manifest = try fixture.manifest("bad.tsv", [
            "path\tfold\trun\tlambda1\tlambda2\tsemantics\tatlas",
            "good.nii.gz\t0\t0\t0.1\t0.01\tkeep\taal2",
            "missing.nii.gz\t0\t0\t0.1\t0.01\tkeep\taal2",
            "junk.nii.gz\t0\t0\t0.1\t0.01\tkeep\taal2",
            "hot.nii.gz\t0\t0\t0.1\t0.01\tkeep\taal2",
            "good.nii.gz\tone\t0\t0.1\t0.01\tkeep\taal2",
            "good.nii.gz\t0\t0\t-1\t0.01\tkeep\taal2",
            "good.nii.gz\t0\t0\t0.1\t0.01\tmaybe\taal2",
            "good.nii.gz\t0\t0\t0.1\t0.01\tkeep\taal3",
            "good.nii.gz\t0\t0\t0.1",
            "sub: x/missing.nii.gz\t0\t0\t0.1\t0.01\tkeep\taal2",
            "good.nii.gz\t0\t0\t0x10\t0.01\tkeep\taal2",
            "good.nii.gz\t1.5\t0\t0.1\t0.01\tkeep\taal2",
            "good.nii.gz\t1.0\t2.00\t0.1\t0.01\tkeep\taal2",  // as pandas writes whole numbers of a float column
        ])
        let store = try SQLiteStore.inMemory()
        let summary = try store.importMasks(manifestPath: manifest, options: options)
        #expect(summary.added == 2)
        #expect(try store.masks().map { "\($0.fold) \($0.run)" }.sorted() == ["0 0", "1 2"])
        let reasons = summary.rejected.map { "\($0.line): \($0.message ?? "")" }
        #expect(reasons == [
            "3: cannot read the file: no such file or directory",
            "4: only 23 bytes, too short for a NIfTI header; is the file complete?",
            "5: 1080 voxels are outside [0, 1] (value 1.5); a mask must hold numbers in [0, 1]",
            "6: fold 'one' is not a whole number of at least 0",
            "7: lambda1 is -1; it must be at least 0",
            "8: semantics 'maybe' is not keep, perturb or attribution",
            "9: unknown atlas 'aal3'; this database has aal2",
            "10: has 4 cells but the header has 7 columns",
            "11: cannot read the file: no such file or directory",  // the path, with its ": ", is not in the reason
            "12: lambda1 '0x10' is not a number",  // Double("0x10") would read 16
            "13: fold '1.5' is not a whole number of at least 0",
        ])
    }

    @Test func aRowNamingTheDatabaseIsRejectedWithoutOpeningIt() throws {
        // Opening and closing the database's file would drop the import's lock on it.
        let fixture = try StudyFixture()
        try fixture.mask("good.nii.gz", seed: 5)
        let store = try SQLiteStore.open(path: fixture.databasePath, create: true)
        let manifest = try fixture.manifest("self.tsv", [
            "path\tfold\trun\tlambda1\tlambda2",
            "good.nii.gz\t0\t0\t0.1\t0.01",
            "study.sqlite\t0\t1\t0.1\t0.01",
            "./study.sqlite\t0\t2\t0.1\t0.01",
        ])
        let summary = try store.importMasks(manifestPath: manifest, options: options)
        #expect(summary.added == 1)
        #expect(summary.rejected.map { "\($0.line): \($0.message ?? "")" } == ["3: this is the database itself", "4: this is the database itself"])
    }

    @Test func strictWritesNothingButTheAuditEntry() throws {
        let fixture = try StudyFixture()
        try fixture.mask("good.nii.gz", seed: 5)
        let manifest = try fixture.manifest("m.tsv", [
            "path\tfold\trun\tlambda1\tlambda2", "good.nii.gz\t0\t0\t0.1\t0.01", "gone.nii.gz\t0\t1\t0.1\t0.01",
        ])
        let store = try SQLiteStore.inMemory()
        let summary = try store.importMasks(
            manifestPath: manifest, options: ImportOptions(strict: true, command: "strict test"))
        #expect(summary.strictAbort)
        #expect(try store.masks().isEmpty)
        #expect(try store.count("models") == 0)
        #expect(try store.count("blobs WHERE sha256 NOT IN (SELECT image_sha256 FROM atlases UNION SELECT labels_sha256 FROM atlases)") == 0)
        #expect(try store.count("imports WHERE kind = 'masks' AND outcome = 'rejected'") == 1)
    }

    @Test func aFailureMidTransactionLeavesNothingBehind() throws {
        let fixture = try StudyFixture()
        let store = try SQLiteStore.inMemory()
        // Inject a failure: SQLite aborts the third mask's insert.
        try store.writeDatabase { db in
            try db.execute(sql: """
                CREATE TRIGGER injected_failure BEFORE INSERT ON masks WHEN (SELECT count(*) FROM masks) >= 2
                BEGIN SELECT RAISE(ABORT, 'injected failure'); END
                """)
        }
        #expect(throws: StoreError.self) { try store.importMasks(manifestPath: try fixture.smallStudy(), options: options) }
        for table in ["masks", "models", "mask_densities", "imports WHERE kind = 'masks'", "studies"] {
            #expect(try store.count(table) == 0, "\(table)")
        }
        #expect(try store.count("blobs") == 2)  // the atlas's two files
    }

    @Test(arguments: ["\r\n", "\r"])
    func windowsAndOldMacLineEndingsReadAsLines(ending: String) throws {
        let fixture = try StudyFixture()
        let unix = try String(contentsOfFile: try fixture.smallStudy(), encoding: .utf8)
        let lines = unix.split(separator: "\n").map(String.init) + ["a.nii.gz\t0"]  // line 10: too few cells
        let manifest = fixture.folder.appendingPathComponent("endings.tsv").path
        try Data(lines.joined(separator: ending).utf8).write(to: URL(fileURLWithPath: manifest))
        let summary = try SQLiteStore.inMemory().importMasks(manifestPath: manifest, options: options)
        #expect(summary.added == 8)
        #expect(summary.rejected.map(\.line) == [10])
        #expect(summary.rows.map(\.line) == Array(2...10))
    }

    @Test func missingRequiredColumnsRefuseTheManifest() throws {
        let fixture = try StudyFixture()
        let manifest = try fixture.manifest("m.tsv", ["path\tfold\tlambda1", "a.nii.gz\t0\t0.1"])
        #expect(throws: ImportError.badManifest(
            path: manifest, detail: "missing required column run; the header has path, fold, lambda1")
        ) {
            try SQLiteStore.inMemory().importMasks(manifestPath: manifest, options: options)
        }
        // Without a semantics or kind column every row is a mask: λ1 and λ2 are required columns.
        let noLambda2 = try fixture.manifest("n.tsv", ["path\tfold\trun\tlambda1", "a.nii.gz\t0\t0\t0.1"])
        #expect(throws: ImportError.badManifest(
            path: noLambda2, detail: "missing required column lambda2; the header has path, fold, run, lambda1")
        ) {
            try SQLiteStore.inMemory().importMasks(manifestPath: noLambda2, options: options)
        }
        // With one, λ2 is a mask's, not every record's: each mask row without it is refused.
        let mixed = try fixture.manifest("x.tsv", ["path\tfold\trun\tlambda1\tsemantics", "a.nii.gz\t0\t0\t0.1\tkeep"])
        let summary = try SQLiteStore.inMemory().importMasks(manifestPath: mixed, options: options)
        #expect(summary.rejected.map(\.message) == [
            "lambda2 is empty; a mask needs lambda1 and lambda2 (only an attribution map, semantics attribution, may leave them empty)"
        ])
    }

    @Test func commaSeparatedManifestsReadAsTheirCellsSay() throws {
        // Quoted cells as spreadsheets and pandas write them: a comma, a doubled quote and a
        // line break inside quotes, spaces outside them; by the .csv name or by the header.
        let records = Manifest.commaSeparatedRecords("a, \"b,c\" ,\"say \"\"hi\"\"\"\n\"two\nlines\",x,\n")
        #expect(records.map(\.line) == [1, 2])
        #expect(records.map(\.cells) == [["a", "b,c", "say \"hi\""], ["two\nlines", "x", ""]])
        let fixture = try StudyFixture()
        let tsv = try fixture.smallStudy()
        let lines = try String(contentsOfFile: tsv, encoding: .utf8).split(separator: "\n")
        let comma = lines.map { $0.split(separator: "\t", omittingEmptySubsequences: false).map { "\"\($0)\"" }.joined(separator: ",") }
        for name in ["study.csv", "study.txt"] {
            let csv = try fixture.manifest(name, comma)
            let fromCSV = try SQLiteStore.inMemory(), fromTSV = try SQLiteStore.inMemory()
            let summary = try fromCSV.importMasks(manifestPath: csv, options: options)
            #expect(summary.added == lines.count - 1 && summary.rejected.isEmpty, "\(name)")
            _ = try fromTSV.importMasks(manifestPath: tsv, options: options)
            let settings = { (store: SQLiteStore) in try store.masks().map { [$0.sha256, "\($0.fold)", "\($0.run)", "\($0.lambda1)", $0.params.json] } }
            #expect(try settings(fromCSV) == settings(fromTSV), "\(name)")
        }
    }
}

extension ImportMasksTests {
    @Test func aDamagedStoredAtlasIsBlamedOnTheDatabaseNotTheMask() throws {
        let fixture = try StudyFixture()
        let store = try SQLiteStore.open(path: fixture.databasePath, create: true)
        _ = try store.initialize(study: nil, command: "test")
        try store.writeDatabase { db in
            try db.execute(sql: "UPDATE blobs SET bytes = x'00' WHERE sha256 = (SELECT image_sha256 FROM atlases WHERE name = 'aal2')")
        }
        let summary = try store.importMasks(manifestPath: try fixture.smallStudy(), options: options)
        #expect(summary.added == 0 && !summary.rejected.isEmpty)
        for row in summary.rejected {
            #expect(row.message?.hasPrefix("\(fixture.databasePath): its atlas 'aal2' does not load (aal2 atlas image: ") == true, "\(row.message ?? "")")
            #expect(row.message?.hasSuffix("; run maskdb verify") == true)
        }
    }

    @Test func aMeasuredFileIsNotDecodedAgain() throws {
        // With the stored atlas damaged after a first import, any decode and measure fails:
        // the same files under new settings are still added (copied, not decoded), while
        // measuring them anew (perturb) is refused.
        let fixture = try StudyFixture()
        let store = try SQLiteStore.open(path: fixture.databasePath, create: true)
        let first = try fixture.smallStudy()
        let files = try store.importMasks(manifestPath: first, options: options).added
        try store.writeDatabase { db in
            try db.execute(sql: "UPDATE blobs SET bytes = x'00' WHERE sha256 = (SELECT image_sha256 FROM atlases WHERE name = 'aal2')")
        }
        let unix = try String(contentsOfFile: first, encoding: .utf8).split(separator: "\n").map(String.init)
        let rows = unix.dropFirst().map { $0.replacingOccurrences(of: "\t0.001\t", with: "\t0.002\t") + "\tkeep" }
            + unix.dropFirst().map { $0 + "\tperturb" }
        let summary = try store.importMasks(manifestPath: try fixture.manifest("again.tsv", [unix[0] + "\tsemantics"] + rows), options: options)
        #expect(summary.added == files && summary.rejected.count == files)
        #expect(summary.rejected.allSatisfy { $0.message?.contains("its atlas 'aal2' does not load") == true })
    }

    @Test func parallelImportEqualsTheSingleThreadedOne() throws {
        let fixture = try StudyFixture()
        let manifest = try fixture.smallStudy()
        let single = try SQLiteStore.inMemory(), parallel = try SQLiteStore.inMemory()
        _ = try single.importMasks(manifestPath: manifest, options: ImportOptions(command: "test", jobs: 1))
        _ = try parallel.importMasks(manifestPath: manifest, options: ImportOptions(command: "test", jobs: 4))
        let (a, b) = (try single.masks(), try parallel.masks())
        #expect(a.map(\.id) == b.map(\.id) && a.map(\.sha256) == b.map(\.sha256) && a.map(\.source) == b.map(\.source))
        // The same densities to the last bit.
        let labels = try single.atlasRegions(named: "aal2").map(\.label)
        #expect(try single.densityVectors(maskIDs: a.map(\.id), labels: labels) == parallel.densityVectors(maskIDs: b.map(\.id), labels: labels))
    }
}
