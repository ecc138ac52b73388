import Import
import Store
import Foundation
import NIfTIFixtures
import SQLiteStore
import StudyCore

/// The one way these tests fill a store: small manifests and masks written to a scratch
/// folder and imported through the import API, as a user's study would be.
enum StudyFixture {
    /// A keep mask on a coarse grid covering AAL2's box (12 x 10 x 9 voxels of 15 mm),
    /// every voxel `keep` unless `values` are given.
    struct Mask {
        var fold: Int
        var run: Int
        var lambda1: Double
        var lambda2: Double = 0.001
        var subjects: String? = nil
        /// The mask's settings of the lab's own (`params.NAME` columns).
        var parameters: [String: String] = [:]
        /// Its annotations (columns named as the keys are, e.g. `slurm_job`).
        var annotations: [String: String] = [:]
        var keep: Float = 0.75
        var values: [Float]? = nil
        /// Its path from the manifest's folder, when not `fileName`'s default (e.g. `fold-0/run-1/mask.nii.gz`).
        var path: String? = nil

        /// The `.nii.gz` file's bytes (gzip with stored blocks, as `NIfTIFixtures` writes them).
        var fileBytes: [UInt8] {
            var file = FixtureFile()
            file.shape = StudyFixture.shape
            file.encode(float32: values ?? Array(repeating: keep, count: StudyFixture.shape.reduce(1, *)))
            file.sformCode = 4
            file.srows = [[15, 0, 0, -90], [0, 15, 0, -126], [0, 0, 15, -72]]
            return StoredGzip.member(file.bytes)
        }

        /// Its file's path in the scratch folder (and in the report's provenance).
        var fileName: String {
            path ?? "f\(fold)r\(run)-l\(lambda1)-l\(lambda2)\(subjects.map { "-\($0)" } ?? "")"
                + parameters.sorted { $0.key < $1.key }.map { "-\($0.key)\($0.value)" }.joined() + ".nii.gz"
        }
    }

    /// A trained model and its metrics, keyed `DATASET.NAME` (e.g. `AIBL-test.balanced_accuracy`).
    struct Model {
        var fold: Int
        var run: Int
        var metrics: [String: Double]
    }

    /// The probability the model of `fold` and `run` gives to inputs masked by `masks[mask]`
    /// (the inputs of `subjects`).
    struct Evaluation {
        var mask: Int
        var fold: Int
        var run: Int
        var subjects = ""
        var probability: Double
    }

    /// The masks' grid.
    static let shape = [12, 10, 9]

    /// A fresh in-memory store holding `study`'s models, then masks, then evaluations.
    static func store(
        study: String = "study", masks: [Mask], models: [Model] = [], evaluations: [Evaluation] = []
    ) throws -> SQLiteStore {
        let store = try SQLiteStore.inMemory()
        try add(study: study, masks: masks, models: models, evaluations: evaluations, to: store)
        return store
    }

    /// Imports `study`'s models, masks and evaluations into `store`; every row must be accepted.
    static func add(study: String, masks: [Mask], models: [Model] = [], evaluations: [Evaluation] = [], to store: SQLiteStore) throws {
        let scratch = try ScratchFolder(prefix: "maskdb-study")
        let options = ImportOptions(study: study, strict: true, command: "StudyTests")
        if !models.isEmpty {
            let metrics = Set(models.flatMap(\.metrics.keys)).sorted()
            let rows = models.map { model in
                ["\(model.fold)", "\(model.run)"] + metrics.map { model.metrics[$0].map { "\($0)" } ?? "" }
            }
            let manifest = try write([StudyField.fold.name, StudyField.run.name] + metrics.map { "metric.\($0)" }, rows, to: scratch, named: "models.tsv")
            try check(try store.importModels(manifestPath: manifest, options: options))
        }
        let parameters = Set(masks.flatMap(\.parameters.keys)).sorted()
        let annotations = Set(masks.flatMap(\.annotations.keys)).sorted()
        let rows = try masks.map { mask in
            let folder = (scratch.path(mask.fileName) as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            _ = try scratch.write(mask.fileBytes, named: mask.fileName)
            return [mask.fileName, "\(mask.fold)", "\(mask.run)", "\(mask.lambda1)", "\(mask.lambda2)", mask.subjects ?? ""]
                + parameters.map { mask.parameters[$0] ?? "" } + annotations.map { mask.annotations[$0] ?? "" }
        }
        let header = ["path"] + [StudyField.fold, .run, .lambda1, .lambda2, .subjects].map(\.name)
            + parameters.map { StudyField.parameter($0).name } + annotations
        try check(try store.importMasks(manifestPath: try write(header, rows, to: scratch, named: "masks.tsv"), options: options))
        if !evaluations.isEmpty {
            let rows = evaluations.map { e in [scratch.path(masks[e.mask].fileName), "\(e.fold)", "\(e.run)", e.subjects, "\(e.probability)"] }
            let header = ["mask"] + [StudyField.fold, .run, .subjects].map(\.name) + ["probability"]
            let manifest = try write(header, rows, to: scratch, named: "evaluations.tsv")
            try check(try store.importEvaluations(manifestPath: manifest, options: options))
        }
    }

    private static func write(_ header: [String], _ rows: [[String]], to folder: ScratchFolder, named name: String) throws -> String {
        let lines = ([header] + rows).map { $0.joined(separator: "\t") }
        return try folder.write(Array((lines.joined(separator: "\n") + "\n").utf8), named: name)
    }

    private static func check(_ summary: ImportSummary) throws {
        struct Rejected: Error, CustomStringConvertible { var description: String }
        if let row = summary.rejected.first { throw Rejected(description: "row \(row.line): \(row.message ?? "rejected")") }
    }
}
