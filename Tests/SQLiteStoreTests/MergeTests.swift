import Atlas
import Foundation
import Import
import Store
import StudyCore
import Testing

@testable import SQLiteStore

/// `maskdb merge` (migration 0011): cluster jobs' own databases merged into one, which then
/// equals a single import of the same files; merging again adds nothing; contradictions are
/// rejected row by row, and with `strict` nothing is merged.
struct MergeTests {
    static let options = ImportOptions(command: "test")
    static let mergeCommand = "maskdb merge job-a.sqlite job-b.sqlite"

    /// The fixture's 8 masks (2 folds x 2 runs x 2 λ1), their 4 models (fold 0's with
    /// weights) and 4 evaluations, as manifests: all rows, or one fold's.
    struct Manifests {
        var masks: String, models: String, evaluations: String
    }

    static func manifests(_ fixture: StudyFixture, folds: [Int], name: String) throws -> Manifests {
        _ = try fixture.smallStudy()
        try Data([7, 7, 7]).write(to: fixture.folder.appendingPathComponent("w0.pt"))
        var masks = ["path\tfold\trun\tlambda1\tlambda2\tsubjects\tsetting.optimizer\tannotation.note"]
        var models = ["fold\trun\tarchitecture\tweights\tparams.dropout\tmetric.ADNI-test.balanced_accuracy"]
        var evaluations = ["mask\tfold\trun\tprobability\tsubjects\ttrue_label\tn"]
        for fold in folds {
            for run in 0..<2 {
                for (k, lambda1) in ["0.1", "0.01"].enumerated() {
                    masks.append("f\(fold)r\(run)l\(k).nii.gz\t\(fold)\t\(run)\t\(lambda1)\t0.001\tAD\tadam\tjob \(fold)")
                }
                models.append("\(fold)\t\(run)\tConv5_FC3\t\(fold == 0 ? "w0.pt" : "")\t0.\(5 + run)\t0.8\(fold)\(run)")
                evaluations.append("f\(fold)r\(run)l0.nii.gz\t\(fold)\t\(1 - run)\t0.\(6 + fold)\(run)\tAD\tAD\t40")
            }
        }
        return Manifests(
            masks: try fixture.manifest("masks-\(name).tsv", masks), models: try fixture.manifest("models-\(name).tsv", models),
            evaluations: try fixture.manifest("evaluations-\(name).tsv", evaluations))
    }

    /// A database with `manifests` imported; with `halves`, that atlas registered and fold 0's masks measured over it.
    static func database(_ path: String, _ manifests: Manifests, halves fixture: StudyFixture? = nil) throws -> SQLiteStore {
        let store = try SQLiteStore.open(path: path, create: true)
        #expect(try store.importModels(manifestPath: manifests.models, options: options).rejected.isEmpty)
        #expect(try store.importMasks(manifestPath: manifests.masks, options: options).rejected.isEmpty)
        #expect(try store.importEvaluations(manifestPath: manifests.evaluations, options: options).rejected.isEmpty)
        if let fixture {
            _ = try store.addAtlas(
                name: "halves", imagePath: try AtlasMeasureTests.labelImage("halves.nii", in: fixture.folder),
                labelsPath: try AtlasMeasureTests.write(AtlasMeasureTests.halvesTable, "halves.tsv", in: fixture.folder), command: "test")
            _ = try store.measure(atlas: "halves", filter: .equal(.fold, .number(0)), options: options)
        }
        return store
    }

    /// What a study holds, ids and import times aside: every mask's settings, source and
    /// densities over each atlas, every model with its metrics and weights, every evaluation.
    static func contents(_ store: SQLiteStore) throws -> [String] {
        var lines: [String] = []
        let masks = try store.masks()
        let sha = Dictionary(uniqueKeysWithValues: masks.map { ($0.id, $0.sha256) })
        for mask in masks {
            var record = mask
            (record.id, record.importedAt) = (0, "")
            lines.append("\(record)")
            for atlas in try store.atlasNames() {
                lines.append("  \(atlas): \((try? store.storedDensities(maskID: mask.id, atlas: atlas)).map { "\($0.densities) \($0.voxelCounts)" } ?? "-")")
            }
        }
        for model in try store.models() {
            var record = model
            record.id = 0
            lines.append("\(record)")
        }
        for evaluation in try store.evaluations(maskIDs: masks.map(\.id)) {
            var record = evaluation
            record.maskID = 0
            lines.append("\(sha[evaluation.maskID]!) \(record)")
        }
        return lines.sorted()
    }

    @Test func jobDatabasesMergedEqualOneImportOfTheirFilesAndMergingAgainAddsNothing() throws {
        let fixture = try StudyFixture()
        let folder = fixture.folder.path
        let jobA = try Self.database(folder + "/job-a.sqlite", try Self.manifests(fixture, folds: [0], name: "a"), halves: fixture)
        let jobB = try Self.database(folder + "/job-b.sqlite", try Self.manifests(fixture, folds: [1], name: "b"))
        let single = try Self.database(folder + "/single.sqlite", try Self.manifests(fixture, folds: [0, 1], name: "all"), halves: fixture)
        let lab = try SQLiteStore.open(path: folder + "/lab.sqlite", create: true)

        let summaries = try lab.merge([jobA, jobB], options: MergeOptions(command: Self.mergeCommand))
        #expect(summaries.map(\.masks.added) == [4, 4] && summaries.map(\.models.added) == [2, 2])
        #expect(summaries.map(\.evaluations.added) == [2, 2] && summaries.map(\.atlases.added) == [1, 0])
        #expect(summaries.allSatisfy { $0.rejected.isEmpty })
        // 8 masks, each with its densities over both atlases (fold 0's over halves), 4 models, 4 evaluations.
        let expected = try Self.contents(single)
        #expect(expected.count == 8 * 3 + 4 + 4 && expected.count { $0.hasPrefix("  halves: [") } == 4)
        #expect(try Self.contents(lab) == expected)
        #expect(try lab.verify().isEmpty)
        // The weights came with their model, as bytes.
        let weights = try #require(try lab.models().first { $0.fold == 0 && $0.run == 0 }?.weightsSHA256)
        #expect(try lab.storedBlob(sha256: weights) == [7, 7, 7])

        // Each merged record's audit names its source and its id there; the halves vectors, the merge.
        let mask = try #require(try lab.masks().first { $0.fold == 0 && $0.run == 1 && $0.lambda1 == 0.01 })
        let audit = try #require(try lab.audit(String(mask.id)).first)
        let sourceID = try #require(try jobA.masks().first { $0.sha256 == mask.sha256 }?.id)
        #expect(audit.mergedFrom == URL(fileURLWithPath: folder + "/job-a.sqlite").standardizedFileURL.path)
        #expect(audit.manifestLine == Int(sourceID) && audit.importCommand == Self.mergeCommand)
        #expect(audit.measurements.map(\.atlas) == ["halves"] && audit.measurements.first?.command == Self.mergeCommand)
        let history = try lab.history(String(mask.id))
        #expect(history.count == 1 && history[0].mergedFrom == audit.mergedFrom && history[0].manifestLine == Int(sourceID))
        #expect(try lab.atlasRegions(named: "halves").map(\.name) == single.atlasRegions(named: "halves").map(\.name))

        let tables = ["masks", "models", "model_metrics", "evaluations", "density_vectors", "blobs", "atlases"]
        let counts = try tables.map { try lab.count($0) }
        let again = try lab.merge([jobA, jobB], options: MergeOptions(command: Self.mergeCommand))
        #expect(again.allSatisfy { $0.masks.added == 0 && $0.models.added == 0 && $0.evaluations.added == 0 && $0.atlases.added == 0 })
        #expect(again.map(\.masks.unchanged) == [4, 4] && again.allSatisfy { $0.rejected.isEmpty })
        #expect(try tables.map { try lab.count($0) } == counts)
        #expect(try Self.contents(lab) == Self.contents(single))
    }

    @Test func contradictionsAreRejectedOneByOneAndStrictMergesNothing() throws {
        let fixture = try StudyFixture()
        let folder = fixture.folder.path
        let lab = try Self.database(folder + "/lab.sqlite", try Self.manifests(fixture, folds: [0], name: "lab"))
        // A job that recorded fold 0 otherwise: one file under another λ1, one with another
        // note, another metric for model (0, 1), and a new mask of fold 1 that merges cleanly.
        let job = try SQLiteStore.open(path: folder + "/job.sqlite", create: true)
        try fixture.mask("new.nii.gz", seed: 91)
        let masks = try fixture.manifest("job-masks.tsv", [
            "path\tfold\trun\tlambda1\tlambda2\tsubjects\tsetting.optimizer\tannotation.note",
            "f0r0l0.nii.gz\t0\t0\t0.5\t0.001\tAD\tadam\tjob 0",
            "f0r0l1.nii.gz\t0\t0\t0.01\t0.001\tAD\tadam\tredo",
            "new.nii.gz\t1\t0\t0.1\t0.001\tAD\tadam\t",
        ])
        let models = try fixture.manifest("job-models.tsv", ["fold\trun\tmetric.ADNI-test.balanced_accuracy", "0\t1\t0.5"])
        #expect(try job.importMasks(manifestPath: masks, options: Self.options).rejected.isEmpty)
        #expect(try job.importModels(manifestPath: models, options: Self.options).rejected.isEmpty)
        let before = try Self.contents(lab)
        let imports = try lab.count("imports")

        let strict = try lab.merge([job], options: MergeOptions(strict: true, command: "maskdb merge job.sqlite --strict"))
        #expect(strict[0].masks.strictAbort && strict[0].rejected.count == 3)
        #expect(try Self.contents(lab) == before)
        // Only the attempt is recorded: the models' and the masks' rejections.
        #expect(try lab.count("imports") == imports + 2)

        let dry = try lab.merge([job], options: MergeOptions(dryRun: true, command: "maskdb merge job.sqlite --dry-run"))
        #expect(dry[0].masks.added == 1 && dry[0].masks.dryRun)
        #expect(try Self.contents(lab) == before && lab.count("imports") == imports + 2)

        let summary = try lab.merge([job], options: MergeOptions(command: "maskdb merge job.sqlite"))[0]
        let recorded = try lab.masks()
        let l0 = try #require(recorded.first { $0.fold == 0 && $0.run == 0 && $0.lambda1 == 0.1 }).id
        #expect(summary.masks.rejected.map(\.message) == [
            "recorded in this database for the same model under other settings (its mask \(l0): λ1 0.1 → 0.5); nothing of it was merged",
            "recorded in this database with other annotations (annotation.note 'job 0' → 'redo'); nothing of it was merged",
        ])
        #expect(summary.models.rejected.map(\.message) == [
            "metric ADNI-test.balanced_accuracy is already recorded as 0.801; nothing of it was merged"
        ])
        #expect(summary.masks.added == 1 && recorded.count == 5)
        #expect(try lab.verify().isEmpty)
    }

    @Test func anAtlasOfTheSameNameWithOtherFilesKeepsItsRecordsOutAndASourceMustBeAnotherDatabase() throws {
        let fixture = try StudyFixture()
        let folder = fixture.folder.path
        let lab = try Self.database(folder + "/lab.sqlite", try Self.manifests(fixture, folds: [0], name: "lab"), halves: fixture)
        let job = try SQLiteStore.open(path: folder + "/job.sqlite", create: true)
        // Another atlas under the same name: label 1 everywhere below z = 3.
        _ = try job.addAtlas(
            name: "halves", imagePath: try AtlasMeasureTests.labelImage("other.nii", in: fixture.folder) { _, _, z in z < 3 ? 1 : 0 },
            labelsPath: try AtlasMeasureTests.write("roi_value\troi_name\n0\tBackground\n1\tLow\n", "other.tsv", in: fixture.folder), command: "test")
        try fixture.mask("new.nii.gz", seed: 91)
        let masks = try fixture.manifest("job-masks.tsv", [
            "path\tfold\trun\tlambda1\tlambda2\tatlas", "new.nii.gz\t1\t0\t0.1\t0.001\thalves", "f1r0l0.nii.gz\t1\t0\t0.1\t0.001\taal2",
        ])
        #expect(try job.importMasks(manifestPath: masks, options: Self.options).rejected.isEmpty)

        let summary = try lab.merge([job], options: MergeOptions(command: "maskdb merge job.sqlite"))[0]
        #expect(summary.atlases.rejected.map(\.path) == ["atlas halves"])
        #expect(summary.atlases.rejected.first?.message?.hasPrefix("registered in this database with other files (image sha256 ") == true)
        #expect(summary.masks.rejected.map(\.message) == ["its atlas halves was not merged (see above)"])
        #expect(summary.masks.added == 1)

        #expect(throws: ImportError.mergeIntoItself(path: folder + "/lab.sqlite")) {
            try lab.merge([try SQLiteStore.open(path: folder + "/lab.sqlite", create: false)], options: MergeOptions(command: "test"))
        }
        #expect("\(ImportError.mergeIntoItself(path: "lab.sqlite"))" == "lab.sqlite: this is the database merged into; a source must be another database")
    }
}
