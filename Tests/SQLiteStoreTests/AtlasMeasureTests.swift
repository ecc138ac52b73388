import Atlas
import Foundation
import GRDB
import Import
import NIfTI
import NIfTIFixtures
import Store
import StudyCore
import Testing

@testable import SQLiteStore

/// `atlas add` and `measure` (migration 0009): a second atlas registered, recorded masks'
/// densities over it computed from their stored files, in one transaction.
struct AtlasMeasureTests {
    /// The fixture's grid: 12 x 10 x 9 voxels of 15 mm.
    static let srows: [[Double]] = [[15, 0, 0, -90], [0, 15, 0, -126], [0, 0, 15, -72]]

    /// A hand-written atlas on the masks' own grid: label 1 where x < 6 and z < 3, label 2
    /// where x >= 6 and z < 3, label 3 where z = 3 and y < 5; the background elsewhere.
    static func halvesLabel(x: Int, y: Int, z: Int) -> Int16 {
        if z < 3 { return x < 6 ? 1 : 2 }
        return z == 3 && y < 5 ? 3 : 0
    }

    static let halvesTable = "roi_value\troi_name\n0\tBackground\n1\tLeft_L\n2\tRight_R\n3\tBand\n"

    /// Writes a label image (int16) of `shape` on `srows` and returns its path.
    static func labelImage(
        _ name: String, in folder: URL, shape: [Int] = [12, 10, 9], srows: [[Double]] = srows,
        label: (Int, Int, Int) -> Int16 = halvesLabel
    ) throws -> String {
        var file = FixtureFile()
        file.shape = shape
        var labels: [Int16] = []
        for z in 0..<shape[2] { for y in 0..<shape[1] { for x in 0..<shape[0] { labels.append(label(x, y, z)) } } }
        file.encode(labels, code: 4)
        file.sformCode = 1
        file.srows = srows
        let url = folder.appendingPathComponent(name)
        try Data(file.bytes).write(to: url)
        return url.path
    }

    static func write(_ text: String, _ name: String, in folder: URL) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// A store with the fixture's 8 masks imported and the halves atlas registered.
    static func study(_ fixture: StudyFixture) throws -> SQLiteStore {
        let store = try SQLiteStore.open(path: fixture.databasePath, create: true)
        _ = try store.importMasks(manifestPath: try fixture.smallStudy(), options: ImportOptions(command: "maskdb import masks masks.tsv"))
        let added = try store.addAtlas(
            name: "halves", imagePath: try labelImage("halves.nii", in: fixture.folder),
            labelsPath: try write(halvesTable, "halves.tsv", in: fixture.folder), command: "maskdb atlas add halves")
        #expect(added.name == "halves" && added.regions == 3 && added.dims == [12, 10, 9] && added.added)
        return store
    }

    static func measure(_ store: SQLiteStore, _ atlas: String = "halves", filter: FilterExpression = .all, jobs: Int = 2) throws -> MeasureSummary {
        try store.measure(atlas: atlas, filter: filter, options: ImportOptions(command: "maskdb measure --atlas \(atlas)", jobs: jobs))
    }

    /// The fixture's masks hold `(i * seed) % 97 / 96` at voxel i (keep masks): each region's
    /// density is the plain mean of 1 - m over its voxels, computed here voxel by voxel.
    @Test func densitiesOverASecondAtlasAreTheMeansComputedByHand() throws {
        let fixture = try StudyFixture()
        let store = try Self.study(fixture)
        let summary = try Self.measure(store)
        #expect(summary.selected == 8 && summary.measured == 8 && summary.alreadyMeasured == 0 && summary.filesDecoded == 8)
        var seeds: [Int] = []
        for fold in 0..<2 { for run in 0..<2 { for k in 0..<2 { seeds.append(3 + fold * 7 + run * 13 + k * 29) } } }
        for (mask, seed) in zip(try store.masks(), seeds) {
            var sums = [0.0, 0.0, 0.0], counts = [0, 0, 0]
            for z in 0..<9 { for y in 0..<10 { for x in 0..<12 {
                let label = Int(Self.halvesLabel(x: x, y: y, z: z))
                guard label > 0 else { continue }
                let i = x + 12 * (y + 10 * z)
                sums[label - 1] += 1 - Double(Float((i * seed) % 97) / 96)
                counts[label - 1] += 1
            } } }
            let stored = try store.storedDensities(maskID: mask.id, atlas: "halves")
            #expect(stored.regions.map(\.name) == ["Left_L", "Right_R", "Band"])
            #expect(stored.voxelCounts == counts && counts == [180, 180, 60])
            for region in 0..<3 {
                #expect(abs(stored.densities[region]! - sums[region] / Double(counts[region])) < 1e-12, "mask \(mask.id) region \(region)")
            }
            // Its import atlas's vector is the one it had.
            #expect(try store.storedDensities(maskID: mask.id).regions.count == 120)
        }
        #expect(try store.verify().isEmpty)
        let summaries = try store.atlasSummaries()
        #expect(summaries.map(\.name) == ["aal2", "halves"])
        #expect(summaries.map(\.measured) == [8, 8] && summaries.map(\.imported) == [8, 0] && summaries.map(\.regions) == [120, 3])
        #expect(summaries[1].dims == [12, 10, 9])
        #expect(try store.count("atlas_log") == 2)
    }

    /// An atlas on another grid is resampled onto each mask's (nearest neighbour), as a file's
    /// densities are: measuring the stored bytes gives exactly what measuring the file gives.
    @Test func anAtlasOnAnotherGridMeasuresAsTheOriginalFileDoes() throws {
        let fixture = try StudyFixture()
        let store = try Self.study(fixture)
        // 30 mm voxels over the same box, four regions by octant pairs.
        let coarse = try Self.labelImage(
            "coarse.nii", in: fixture.folder, shape: [6, 5, 5], srows: [[30, 0, 0, -90], [0, 30, 0, -126], [0, 0, 30, -72]]
        ) { x, y, _ in Int16(1 + (x >= 3 ? 1 : 0) + (y >= 2 ? 2 : 0)) }
        let table = try Self.write("roi_value\troi_name\n1\tA\n2\tB\n3\tC\n4\tD\n", "coarse.tsv", in: fixture.folder)
        _ = try store.addAtlas(name: "coarse", imagePath: coarse, labelsPath: table, command: "maskdb atlas add coarse")
        #expect(try Self.measure(store, "coarse").measured == 8)
        let atlas = try Atlas.load(imagePath: coarse, labelsPath: table)
        for mask in try store.masks() {
            let file = try NIfTIImage(contentsOf: mask.source)
            let expected = try DensityCalculator(atlas: atlas).densities(of: file, semantics: .keep)
            let stored = try store.storedDensities(maskID: mask.id, atlas: "coarse")
            #expect(stored.densities == expected.densities && stored.voxelCounts == expected.voxelCounts)
        }
        #expect(try store.verify().isEmpty)
    }

    /// A record measured on a reference image's grid (a manifest's grid column) is measured
    /// on that grid again, as `densities ID` reads it.
    @Test func aRecordWithAGridIsMeasuredOnItsGrid() throws {
        let fixture = try StudyFixture()
        let store = try SQLiteStore.open(path: fixture.databasePath, create: true)
        let path = try fixture.mask("m.nii.gz", seed: 5)
        // The reference grid: the mask's sizes, shifted by two voxels in x.
        var reference = FixtureFile()
        reference.shape = [12, 10, 9]
        reference.encode(float32: [Float](repeating: 0, count: 1080))
        reference.sformCode = 4
        reference.srows = [[15, 0, 0, -60], [0, 15, 0, -126], [0, 0, 15, -72]]
        let referencePath = fixture.folder.appendingPathComponent("reference.nii").path
        try Data(reference.bytes).write(to: URL(fileURLWithPath: referencePath))
        let manifest = try fixture.manifest("grid.tsv", ["path\tfold\trun\tlambda1\tlambda2\tgrid", "m.nii.gz\t0\t0\t0.1\t0.1\treference.nii"])
        _ = try store.importMasks(manifestPath: manifest, options: ImportOptions(command: "maskdb import masks grid.tsv"))
        _ = try store.addAtlas(
            name: "halves", imagePath: try Self.labelImage("halves.nii", in: fixture.folder),
            labelsPath: try Self.write(Self.halvesTable, "halves.tsv", in: fixture.folder), command: "maskdb atlas add halves")
        #expect(try Self.measure(store).measured == 1)
        let atlas = try Atlas.load(imagePath: fixture.folder.appendingPathComponent("halves.nii").path, labelsPath: fixture.folder.appendingPathComponent("halves.tsv").path)
        let placed = try NIfTIImage(contentsOf: path).placed(on: NIfTIGrid(fileBytes: reference.bytes, path: referencePath), gridPath: referencePath)
        let onGrid = try DensityCalculator(atlas: atlas).densities(of: placed, semantics: .keep)
        let onHeader = try DensityCalculator(atlas: atlas).densities(of: try NIfTIImage(contentsOf: path), semantics: .keep)
        let stored = try store.storedDensities(maskID: 1, atlas: "halves")
        #expect(stored.densities == onGrid.densities && stored.voxelCounts == onGrid.voxelCounts)
        #expect(onGrid.voxelCounts != onHeader.voxelCounts)  // the grid matters here
    }

    /// Measuring again measures nothing and says how many were measured already; adding the
    /// same atlas again changes nothing; the same name with other files is refused.
    @Test func runningAgainIsHarmless() throws {
        let fixture = try StudyFixture()
        let store = try Self.study(fixture)
        #expect(try Self.measure(store, filter: .equal(.fold, .number(0))).measured == 4)
        let rows = try store.count("mask_densities")
        let again = try Self.measure(store)
        #expect(again.measured == 4 && again.alreadyMeasured == 4)
        let third = try Self.measure(store)
        #expect(third.measured == 0 && third.alreadyMeasured == 8 && third.filesDecoded == 0)
        #expect(try store.count("mask_densities") == rows + 4 * 3)
        let image = fixture.folder.appendingPathComponent("halves.nii").path, labels = fixture.folder.appendingPathComponent("halves.tsv").path
        let same = try store.addAtlas(name: "halves", imagePath: image, labelsPath: labels, command: "maskdb atlas add halves")
        #expect(!same.added && same.regions == 3)
        let other = try Self.write(Self.halvesTable.replacingOccurrences(of: "Band", with: "Strip"), "other.tsv", in: fixture.folder)
        #expect(throws: ImportError.self) { try store.addAtlas(name: "halves", imagePath: image, labelsPath: other, command: "x") }
        do {
            _ = try store.addAtlas(name: "halves", imagePath: image, labelsPath: other, command: "x")
        } catch {
            #expect("\(error)".hasPrefix("atlas 'halves' is registered with other files (image "))
        }
        #expect(try store.count("atlases") == 2)
        #expect(try store.count("atlas_log") == 4)
        #expect(try store.verify().isEmpty)
    }

    /// Bad atlases are refused in one line naming the file, before anything is written.
    @Test func badAtlasFilesAreRefusedNamingTheFile() throws {
        let fixture = try StudyFixture()
        let store = try SQLiteStore.inMemory()
        let folder = fixture.folder
        let table = try Self.write(Self.halvesTable, "halves.tsv", in: folder)
        let good = try Self.labelImage("halves.nii", in: folder)
        func refusal(_ image: String, _ labels: String, name: String = "x") -> String {
            do {
                _ = try store.addAtlas(name: name, imagePath: image, labelsPath: labels, command: "x")
                return "accepted"
            } catch { return "\(error)" }
        }
        // A label the table does not name.
        let four = try Self.labelImage("four.nii", in: folder) { x, _, _ in Int16(x < 3 ? 4 : 1) }
        #expect(refusal(four, table).hasPrefix("\(four): labels 4 have no row in the label table"))
        // Labels of the table no voxel has.
        let ones = try Self.labelImage("ones.nii", in: folder) { _, _, _ in 1 }
        #expect(refusal(ones, table) == "\(table): labels 2, 3 have no voxel in \(ones); is this the table of that image?")
        // Not whole numbers: a mask given as an atlas.
        let mask = try fixture.mask("mask.nii.gz", seed: 7)
        #expect(refusal(mask, table).hasPrefix("\(mask): atlas voxel value"))
        // Several volumes.
        var volumes = FixtureFile()
        volumes.shape = [12, 10, 9, 2]
        volumes.encode([Int16](repeating: 1, count: 2160), code: 4)
        let fourD = folder.appendingPathComponent("4d.nii").path
        try Data(volumes.bytes).write(to: URL(fileURLWithPath: fourD))
        #expect(refusal(fourD, table) == "\(fourD): an atlas must be one 3D volume, this image is 12 x 10 x 9 x 2")
        // A table that is not one, a file that is missing, a name that is not one.
        let notTable = try Self.write("label\tname\n1\tA\n", "bad.tsv", in: folder)
        #expect(refusal(good, notTable).hasPrefix("\(notTable): not a label table with roi_value and roi_name columns"))
        #expect(refusal(good, folder.appendingPathComponent("missing.tsv").path).hasPrefix(folder.appendingPathComponent("missing.tsv").path + ": cannot read the label table"))
        #expect(refusal(good, table, name: "two words").hasPrefix("'two words': an atlas name is"))
        for message in [refusal(four, table), refusal(ones, table), refusal(fourD, table)] { #expect(!message.contains("\n")) }
        #expect(try !store.atlasNames().contains("x"))
        #expect(refusal(good, table) == "accepted")
        #expect(try store.atlasNames().contains("x"))
    }

    /// A damaged stored file in the middle of the selection fails the whole command, naming
    /// the record and `maskdb verify`: nothing of the records before it is written.
    @Test func aDamagedFileFailsTheWholeMeasureWritingNothing() throws {
        let fixture = try StudyFixture()
        let store = try Self.study(fixture)
        let before = try store.count("mask_densities")
        let sha256 = try #require(try store.masks(ids: [5]).first?.sha256)
        try store.writeDatabase { db in
            // One byte of its voxels changed: the file still decodes, its sha256 is wrong.
            var bytes = [UInt8](try #require(try Data.fetchOne(db, sql: "SELECT bytes FROM blobs WHERE sha256 = ?", arguments: [sha256])))
            bytes[bytes.count - 100] ^= 0x01
            try db.execute(sql: "UPDATE blobs SET bytes = ? WHERE sha256 = ?", arguments: [Data(bytes), sha256])
        }
        for jobs in [1, 2, 4] {
            #expect {
                _ = try Self.measure(store, jobs: jobs)
            } throws: { error in
                guard case let .damagedFile(record, _, recorded)? = error as? StoreError else { return false }
                return record == "mask 5" && recorded == sha256 && "\(error)".hasSuffix("run maskdb verify")
            }
        }
        #expect(try store.count("mask_densities") == before)
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM density_vectors WHERE atlas_id <> 1") } == 0)
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM atlas_log WHERE kind = 'measure'") } == 0)
        // The others can still be measured: the selection without it.
        #expect(try Self.measure(store, filter: .not(.equal(.id, .number(5)))).measured == 7)
    }

    /// An analysis over the second atlas reads its vectors (each record's atlas reads so);
    /// without `atlas` it reads the import atlas's as before; records not measured over the
    /// atlas asked for are an error saying how many and what to run.
    @Test func analysesReadTheAtlasTheyAreAskedFor() throws {
        let fixture = try StudyFixture()
        let store = try Self.study(fixture)
        #expect(throws: StoreError.notMeasured(atlas: "halves", count: 8, of: 8)) { try store.studyData(where: .all, atlas: "halves") }
        _ = try Self.measure(store, filter: .equal(.fold, .number(0)))
        #expect(throws: StoreError.notMeasured(atlas: "halves", count: 4, of: 8)) { try store.studyData(where: .all, atlas: "halves") }
        #expect("\(StoreError.notMeasured(atlas: "halves", count: 4, of: 8))" == "4 of the 8 selected records have no densities over atlas 'halves'; compute them with 'maskdb measure --atlas halves'")
        let fold0 = try store.studyData(where: .equal(.fold, .number(0)), atlas: "halves")
        #expect(fold0.masks.count == 4 && fold0.masks.allSatisfy { $0.atlas == "halves" })
        #expect(fold0.regions.keys.sorted() == ["halves"] && fold0.regions["halves"]!.map(\.label) == [1, 2, 3])
        for mask in fold0.masks {
            let stored = try store.storedDensities(maskID: mask.id, atlas: "halves")
            #expect(fold0.vectors[mask.id] == StoredVector(densities: stored.densities, voxels: stored.voxelCounts))
        }
        let plain = try store.studyData(where: .all)
        #expect(plain.masks.allSatisfy { $0.atlas == "aal2" } && plain.vectors.values.allSatisfy { $0.densities.count == 120 })
        #expect(try store.studyData(where: .all, atlas: nil).vectors == plain.vectors)
        #expect(throws: StoreError.self) { try store.studyData(where: .all, atlas: "nosuch") }
        #expect(throws: StoreError.notMeasured(atlas: "halves", count: 1, of: 1)) { try store.storedDensities(maskID: 8, atlas: "halves") }
        // Removing a mask removes its vectors over every atlas.
        try store.write { transaction in
            _ = try transaction.removeMask(1, correctionID: try transaction.beginCorrection(.rm, command: "maskdb rm 1"))
        }
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM density_vectors WHERE mask_id = 1") } == 0)
        #expect(try store.verify().isEmpty)
    }

    /// `atlas rm` (migration 0010): the atlas, its regions and every vector over it go in one
    /// transaction, its log entries stay under its name, and registering and measuring it again
    /// gives the same vectors; audit names the `measure` behind each vector.
    @Test func removingAnAtlasKeepsItsHistoryAndCanBeUndone() throws {
        let fixture = try StudyFixture()
        let store = try Self.study(fixture)
        _ = try Self.measure(store, filter: .equal(.fold, .number(0)))
        let before = try store.studyData(where: .equal(.fold, .number(0)), atlas: "halves").vectors
        let audited = try store.audit("1")[0].measurements
        #expect(audited.count == 1 && audited[0].atlas == "halves" && audited[0].command == "maskdb measure --atlas halves" && audited[0].at != nil)
        #expect(try store.audit("5")[0].measurements.isEmpty)  // fold 1: not measured over it
        // A vector measured before 0010 kept no command: audit says so by nil.
        try store.writeDatabase { db in try db.execute(sql: "UPDATE density_vectors SET measured_by = NULL WHERE mask_id = 2") }
        #expect(try store.audit("2")[0].measurements == [AtlasMeasurement(atlas: "halves", at: nil, command: nil)])

        let dry = try store.removeAtlas(name: "halves", command: "maskdb atlas rm halves --dry-run", dryRun: true)
        #expect(dry == AtlasRemoval(name: "halves", vectors: 4, dryRun: true))
        #expect(try store.atlasNames() == ["aal2", "halves"])
        let removed = try store.removeAtlas(name: "halves", command: "maskdb atlas rm halves", dryRun: false)
        #expect(removed == AtlasRemoval(name: "halves", vectors: 4, dryRun: false))
        #expect(try store.atlasNames() == ["aal2"])
        let left = try store.read { db in
            try ["SELECT count(*) FROM density_vectors WHERE atlas_id <> 1", "SELECT count(*) FROM mask_densities WHERE atlas_id <> 1",
                 "SELECT count(*) FROM atlas_regions WHERE atlas_id <> 1", "SELECT count(*) FROM density_vectors"].map { try Int.fetchOne(db, sql: $0)! }
        }
        #expect(left == [0, 0, 0, 8])
        let log = try store.read { db in try Row.fetchAll(db, sql: "SELECT kind, atlas_name, count, command FROM atlas_log ORDER BY id") }
        #expect(log.map { "\($0["kind"] as String) \($0["atlas_name"] as String) \($0["count"] as Int)" } == ["atlas halves 3", "measure halves 4", "remove halves 4"])
        #expect(try store.audit("1")[0].measurements.isEmpty)
        #expect(try store.verify().isEmpty)
        // Its files are unreferenced now: gc's to delete.
        #expect(try store.write { try $0.unreferencedBlobs() }.count == 2)

        #expect(throws: StoreError.unknownAtlas(name: "halves", known: ["aal2"])) {
            try store.removeAtlas(name: "halves", command: "maskdb atlas rm halves", dryRun: false)
        }
        #expect(throws: ImportError.builtinAtlas(name: "aal2")) { try store.removeAtlas(name: "aal2", command: "maskdb atlas rm aal2", dryRun: false) }

        _ = try store.addAtlas(
            name: "halves", imagePath: fixture.folder.appendingPathComponent("halves.nii").path,
            labelsPath: fixture.folder.appendingPathComponent("halves.tsv").path, command: "maskdb atlas add halves")
        _ = try Self.measure(store, filter: .equal(.fold, .number(0)))
        #expect(try store.studyData(where: .equal(.fold, .number(0)), atlas: "halves").vectors == before)
    }

    /// An atlas records were imported against holds their densities: refused, nothing removed.
    @Test func anAtlasRecordsWereImportedAgainstIsRefused() throws {
        let fixture = try StudyFixture()
        let store = try Self.study(fixture)
        try store.writeDatabase { db in try db.execute(sql: "UPDATE masks SET atlas_id = (SELECT id FROM atlases WHERE name = 'halves') WHERE id IN (1, 2)") }
        #expect(throws: ImportError.atlasInUse(name: "halves", records: 2)) {
            try store.removeAtlas(name: "halves", command: "maskdb atlas rm halves", dryRun: false)
        }
        #expect("\(ImportError.atlasInUse(name: "halves", records: 2))"
            == "atlas 'halves': 2 records were imported against it (their densities are over it); remove them first (maskdb rm --where \"atlas = 'halves'\")")
        #expect(try store.atlasNames() == ["aal2", "halves"])
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM atlas_log WHERE kind = 'remove'") } == 0)
    }

    /// A database of 0009's era: its atlas log keeps every entry, now with the atlas's name.
    @Test func anAtlasLogOfThe0009EraKeepsItsEntries() throws {
        let old = try StudyFixture()
        let oldQueue = try DatabaseQueue(path: old.databasePath)
        try SQLiteStore.migrator.migrate(oldQueue, upTo: "0009_atlas_measurements")
        try oldQueue.write { db in
            try db.execute(sql: """
                INSERT INTO blobs (sha256, size, bytes) VALUES ('\(String(repeating: "a", count: 64))', 1, x'00');
                INSERT INTO atlases (id, name, image_sha256, labels_sha256) VALUES (5, 'halves', '\(String(repeating: "a", count: 64))', '\(String(repeating: "a", count: 64))');
                INSERT INTO atlas_log (at, command, kind, atlas_id, count) VALUES ('t1', 'maskdb atlas add halves', 'atlas', 5, 3),
                    ('t2', 'maskdb measure --atlas halves', 'measure', 5, 0);
                """)
        }
        try oldQueue.close()
        let store = try SQLiteStore.open(path: old.databasePath, create: false)
        let log = try store.read { db in try Row.fetchAll(db, sql: "SELECT id, at, kind, atlas_id, atlas_name, count FROM atlas_log ORDER BY id") }
        #expect(log.map { "\($0["id"] as Int) \($0["at"] as String) \($0["kind"] as String) \($0["atlas_id"] as Int) \($0["atlas_name"] as String) \($0["count"] as Int)" }
            == ["1 t1 atlas 5 halves 3", "2 t2 measure 5 halves 0"])
        #expect(try store.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM pragma_foreign_key_check") } == 0)
    }
}
