import Atlas
import Formatting
import Foundation
import NIfTI
import Store
import StudyCore

/// How a merge runs.
public struct MergeOptions: Sendable {
    /// Write nothing at all when any record is rejected.
    public var strict: Bool
    /// Do everything in the write transaction, then roll it back.
    public var dryRun: Bool
    /// The command line, for the audit log.
    public var command: String

    /// Merge options.
    public init(strict: Bool = false, dryRun: Bool = false, command: String) {
        self.strict = strict
        self.dryRun = dryRun
        self.command = command
    }
}

/// What merging one source database did, kind by kind, each as an import's summary whose
/// rows are the source's records (their line: the record's id there; atlases and
/// evaluations: their place in the source's list).
public struct MergeSummary: Sendable {
    /// The source, as users named it.
    public var source: String
    /// The source as the audit log names it (a file's absolute path).
    var origin: String
    public var atlases = ImportSummary(), models = ImportSummary(), masks = ImportSummary(), evaluations = ImportSummary()

    /// A source's summary, empty.
    public init(source: String, origin: String) {
        self.source = source
        self.origin = origin
    }

    /// Each kind with its summary, in the order they are merged.
    public var kinds: [(noun: String, summary: ImportSummary)] {
        [("atlases", atlases), ("models", models), ("masks", masks), ("evaluations", evaluations)]
    }

    /// Applies `change` to every kind's summary.
    mutating func mark(_ change: (inout ImportSummary) -> Void) {
        change(&atlases)
        change(&models)
        change(&masks)
        change(&evaluations)
    }

    /// Every rejected record, of any kind.
    public var rejected: [ImportSummary.RowResult] { kinds.flatMap(\.summary.rejected) }
}

/// Thrown inside the write transaction to roll back a strict merge with a rejected record.
private struct StrictMergeRollback: Error {}

extension StudyStore {
    /// Merges other maskdb databases into this one, in one transaction: their registered
    /// atlases, models (with metrics and weights), masks (with their stored files, grids and
    /// densities over every atlas, none computed again) and evaluations. A record already
    /// here is left as it is (so merging again adds nothing); one that contradicts a record
    /// here (a model with other metrics, a file recorded here for the same model under other
    /// settings or annotations, an evaluation with another probability, an atlas of the same
    /// name with other files) is rejected and reported, and with `strict` nothing is merged.
    /// Each source's records are imports whose audit entries name it (`merged_from`).
    public func merge(_ sources: [any StudyStore], options: MergeOptions) throws -> [MergeSummary] {
        let database = file.flatMap(FileIdentity.init(path:))
        for source in sources {
            if let database, let other = source.file.flatMap(FileIdentity.init(path:)), other == database {
                throw ImportError.mergeIntoItself(path: source.location)
            }
        }
        try initialize(study: nil, command: options.command)
        var measured = try measuredFiles()
        var summaries: [MergeSummary] = []
        do {
            try write(dryRun: options.dryRun) { transaction in
                summaries = []
                for source in sources {
                    summaries.append(try Self.merge(source, into: transaction, measured: &measured, command: options.command))
                }
                if options.strict && summaries.contains(where: { !$0.rejected.isEmpty }) { throw StrictMergeRollback() }
            }
        } catch is StrictMergeRollback {
            // Only the attempt is recorded: each kind's rejections, under an import that added nothing.
            try write(dryRun: options.dryRun) { transaction in
                for index in summaries.indices {
                    for kind in [ImportKind.models, .masks, .evaluations] {
                        var summary = ImportSummary()
                        summary.rows = summaries[index].summary(of: kind).rejected
                        summary.strictAbort = true
                        guard !summary.rows.isEmpty else { continue }
                        let entry = Self.mergeEntry(kind, source: summaries[index].origin, command: options.command)
                        try transaction.finishImport(try transaction.beginImport(entry), summary: summary)
                    }
                }
            }
            for index in summaries.indices { summaries[index].mark { $0.strictAbort = true } }
        }
        for index in summaries.indices { summaries[index].mark { $0.dryRun = options.dryRun } }
        return summaries
    }

    private static func mergeEntry(_ kind: ImportKind, source: String, command: String) -> ImportEntry {
        ImportEntry(kind: kind, command: command, manifestPath: nil, manifestSHA256: nil, startedAt: Date(), mergedFrom: source)
    }

    /// One source's records, written through `transaction`; `measured` grows with the files it measures.
    private static func merge(
        _ source: any StudyStore, into transaction: any StoreTransaction, measured: inout Set<MeasuredFile>, command: String
    ) throws -> MergeSummary {
        let here = "this database"
        // The audit log names a file source by its absolute path, as it names manifests.
        let origin = source.file.map { URL(fileURLWithPath: $0).standardizedFileURL.path } ?? source.location
        var summary = MergeSummary(source: source.location, origin: origin)

        // Atlases: one of the same name must have the same files; a new one is registered.
        var atlasIDs: [String: Int64] = [:]
        for (index, name) in try source.atlasNames().enumerated() {
            var row = ImportSummary.RowResult(line: index + 1, path: "atlas \(name)", outcome: .unchanged)
            let files = try source.atlasFiles(named: name).checked(name: name)
            let image = files.imageSHA256 ?? SHA256Digest.hex(files.image), labels = files.labelsSHA256 ?? SHA256Digest.hex(files.labels)
            row.sha256 = image
            if let registered = try transaction.registeredAtlas(named: name) {
                if registered.imageSHA256 == image && registered.labelsSHA256 == labels {
                    atlasIDs[name] = registered.id
                } else {
                    row.outcome = .rejected
                    row.message = "registered in \(here) with other files (image sha256 \(registered.imageSHA256.prefix(12)), not \(image.prefix(12))); no record over it was merged"
                }
            } else {
                try transaction.storeBlob(files.image, sha256: image)
                try transaction.storeBlob(files.labels, sha256: labels)
                let regions = try source.atlasRegions(named: name).map { AtlasRegion(label: $0.label, name: $0.name) }
                let id = try transaction.addAtlas(name: name, imageSHA256: image, labelsSHA256: labels, regions: regions)
                try transaction.logAtlasCommand(.atlas, command: command, atlasID: id, count: regions.count)
                atlasIDs[name] = id
                row.outcome = .added
            }
            summary.atlases.rows.append(row)
        }

        // Models, completed or contradicted as a model manifest's rows are.
        let models = try source.models()
        if !models.isEmpty {
            let importID = try transaction.beginImport(mergeEntry(.models, source: origin, command: command))
            for model in models {
                let weights = model.weightsSHA256.map { sha256 in
                    WeightsFile(sha256: sha256) {
                        guard let bytes = try source.storedBlob(sha256: sha256) else {
                            throw StoreError.database(path: source.location, message: "model \(model.id)'s weights (sha256 \(sha256.prefix(12))) are not stored; run maskdb verify")
                        }
                        return bytes
                    }
                }
                let prepared = PreparedModel(
                    line: Int(model.id), key: ModelKey(study: model.study, fold: model.fold, run: model.run, name: model.name),
                    architecture: model.architecture.isEmpty ? nil : model.architecture, weights: weights, params: model.params.values,
                    metrics: model.metrics.map { ($0.dataset, $0.metric, $0.value) })
                var result: ImportSummary.RowResult?
                try transaction.savepoint {
                    result = try store(prepared, importID: importID, replace: false, hint: "; nothing of it was merged", in: transaction)
                    return result?.outcome != .rejected
                }
                summary.models.rows.append(result!)
            }
            try transaction.finishImport(importID, summary: summary.models)
        }

        // Masks, with their files, grids and densities as the source measured them.
        let masks = try source.masks()
        var mergedIDs: [Int64: Int64] = [:]  // source mask id → the record here
        if !masks.isEmpty {
            let importID = try transaction.beginImport(mergeEntry(.masks, source: origin, command: command))
            let grids = try source.measuredGrids(maskIDs: masks.map(\.id))
            let atlasNames = atlasIDs.keys.sorted()
            var added: Set<Int64> = []
            var densities: [String: [(maskID: Int64, densities: RegionDensities)]] = [:]
            for record in masks {
                var row = ImportSummary.RowResult(line: Int(record.id), path: record.source, sha256: record.sha256, outcome: .rejected)
                defer { summary.masks.rows.append(row) }
                guard let atlasID = atlasIDs[record.atlas] else {
                    row.message = "its atlas \(record.atlas) was not merged (see above)"
                    continue
                }
                let model = ModelKey(study: record.study, fold: record.fold, run: record.run, name: record.model)
                // The same file for this model and atlas under other settings: which is right is the user's to say.
                let before = try transaction.masks(sha256: record.sha256, model: model, atlasID: atlasID).filter { !added.contains($0.id) }
                if let other = before.first, !before.contains(where: { sameSettings($0, record) }) {
                    var merged = record
                    (merged.source, merged.annotations) = (other.source, other.annotations)
                    row.message = "recorded in \(here) for the same model under other settings (its mask \(other.id): "
                        + other.changes(to: merged).joined(separator: ", ") + "); nothing of it was merged"
                    continue
                }
                guard let grid = grids[record.id] else { throw StoreError.notRecorded(target: String(record.id)) }
                let file = MeasuredFile(sha256: record.sha256, atlasID: atlasID, semantics: record.semantics, grid: grid.reference?.key)
                let measurement: NewMask.Measurement = measured.contains(file)
                    ? .recorded
                    : .new(
                        bytes: try source.maskFileBytes(maskID: record.id), dims: Array((grid.grid.shape + [1, 1]).prefix(3)),
                        affine: grid.grid.affine, densities: try source.storedDensities(maskID: record.id))
                let mask = NewMask(
                    model: model, lambda1: record.lambda1, lambda2: record.lambda2, beta1: record.beta1, beta2: record.beta2,
                    subjects: record.subjects, semantics: record.semantics, method: record.method, subject: record.subject,
                    params: record.params, annotations: record.annotations, atlasID: atlasID, sha256: record.sha256,
                    sourcePath: record.source, measurement: measurement, grid: grid.reference)
                switch try transaction.addMask(mask, importID: importID) {
                case .added: row.outcome = .added
                case .unchanged: row.outcome = .unchanged
                case .annotationsDiffer(let recorded):
                    row.message = "recorded in \(here) with other annotations ("
                        + annotationDifferences(recorded: recorded, other: record.annotations) + "); nothing of it was merged"
                    continue
                }
                measured.insert(file)
                let matches = try transaction.masks(sha256: record.sha256, model: model, atlasID: atlasID).filter { sameSettings($0, record) }
                guard let id = row.outcome == .added ? matches.last?.id : matches.first?.id else {
                    throw StoreError.database(path: source.location, message: "mask \(record.id) vanished while it was merged")
                }
                if row.outcome == .added { added.insert(id) }
                mergedIDs[record.id] = id
                // Its densities over the source's other atlases, unless this record has them.
                for name in atlasNames where name != record.atlas {
                    guard try !transaction.unmeasuredMasks(ids: [id], atlasID: atlasIDs[name]!).isEmpty else { continue }
                    do {
                        densities[name, default: []].append((id, try source.storedDensities(maskID: record.id, atlas: name)))
                    } catch StoreError.notMeasured {}
                }
            }
            try transaction.finishImport(importID, summary: summary.masks)
            // Each atlas's vectors under one `measure` entry of the atlas log, as `maskdb measure` writes them.
            for (name, vectors) in densities.sorted(by: { $0.key < $1.key }) {
                let entry = try transaction.logAtlasCommand(.measure, command: command, atlasID: atlasIDs[name]!, count: vectors.count)
                for vector in vectors {
                    try transaction.addDensities(vector.densities, maskID: vector.maskID, atlasID: atlasIDs[name]!, measuredBy: entry)
                }
            }
        }

        // Evaluations of the merged masks by the merged models.
        let evaluations = try source.evaluations(maskIDs: masks.map(\.id))
        if !evaluations.isEmpty {
            let importID = try transaction.beginImport(mergeEntry(.evaluations, source: origin, command: command))
            for (index, evaluation) in evaluations.enumerated() {
                let by = "fold \(evaluation.fold) run \(evaluation.run)" + (evaluation.model.isEmpty ? "" : " model \(evaluation.model)")
                var row = ImportSummary.RowResult(
                    line: index + 1, path: "mask \(evaluation.maskID) by \(by) on \(evaluation.subjects) (\(evaluation.trueLabel))", outcome: .rejected)
                defer { summary.evaluations.rows.append(row) }
                guard let mask = mergedIDs[evaluation.maskID] else {
                    row.message = "its mask was not merged (see above)"
                    continue
                }
                let key = ModelKey(study: evaluation.study, fold: evaluation.fold, run: evaluation.run, name: evaluation.model)
                let model = try transaction.modelID(key)
                let new = NewEvaluation(
                    mask: mask, model: model, subjects: evaluation.subjects, trueLabel: evaluation.trueLabel,
                    probability: evaluation.probability, n: evaluation.n)
                if let recorded = try transaction.evaluation(mask: mask, model: model, subjects: evaluation.subjects, trueLabel: evaluation.trueLabel) {
                    if recorded.probability == evaluation.probability && recorded.n == evaluation.n {
                        row.outcome = .unchanged
                    } else {
                        row.message = "recorded in \(here) with probability \(NumberText.exact(recorded.probability)) (n \(recorded.n.map(String.init) ?? "-")), not \(NumberText.exact(evaluation.probability)) (n \(evaluation.n.map(String.init) ?? "-")); nothing of it was merged"
                    }
                    continue
                }
                try transaction.addEvaluation(new, importID: importID)
                row.outcome = .added
            }
            try transaction.finishImport(importID, summary: summary.evaluations)
        }
        return summary
    }

    /// Two records of one file and model with the same settings (their annotations, source
    /// path and id aside).
    private static func sameSettings(_ a: MaskRecord, _ b: MaskRecord) -> Bool {
        (a.lambda1, a.lambda2, a.beta1, a.beta2) == (b.lambda1, b.lambda2, b.beta1, b.beta2) && a.subjects == b.subjects
            && a.semantics == b.semantics && a.method == b.method && a.subject == b.subject && a.params == b.params
    }
}

extension MergeSummary {
    /// The summary of one kind of record.
    func summary(of kind: ImportKind) -> ImportSummary {
        switch kind {
        case .models: models
        case .masks: masks
        case .evaluations: evaluations
        case .initialize: ImportSummary()
        }
    }
}
