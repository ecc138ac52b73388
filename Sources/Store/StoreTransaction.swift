import Atlas
import Formatting
import Foundation
import NIfTI
import StudyCore

/// One write transaction of a store: what the import engine writes through. Nothing it
/// writes is visible to others until the transaction commits; a thrown error rolls it all
/// back. Each backend keeps its SQL (and tricks such as blob writeback) behind it.
public protocol StoreTransaction {
    /// Starts an import's audit-log entry (before its records, which point to it); returns its id.
    func beginImport(_ entry: ImportEntry) throws -> Int64

    /// Stores every row's outcome and the totals of the import `id`.
    func finishImport(_ id: Int64, summary: ImportSummary) throws

    /// Runs `body` in a savepoint, kept when it returns true and rolled back otherwise.
    func savepoint(_ body: () throws -> Bool) throws

    /// The id of the model, created (with its study) when missing.
    func modelID(_ model: ModelKey) throws -> Int64

    /// The id of the model, nil when it is not recorded.
    func recordedModelID(_ model: ModelKey) throws -> Int64?

    /// What is recorded of model `id`.
    func model(_ id: Int64) throws -> RecordedModel

    /// Sets model `id`'s architecture, weights (a stored blob's sha256) or parameters; nil leaves one as it is.
    func updateModel(_ id: Int64, architecture: String?, weightsSHA256: String?, params: Parameters?) throws

    /// Model `id`'s recorded value of `metric` on `dataset`, if any.
    func metric(model id: Int64, dataset: String, metric: String) throws -> Double?

    /// Records model `id`'s `metric` on `dataset`.
    func addMetric(model id: Int64, dataset: String, metric: String, value: Double) throws

    /// Stores `bytes` under their sha256 unless present.
    func storeBlob(_ bytes: [UInt8], sha256: String) throws

    /// Records a mask unless its file and settings are recorded already. Writes nothing
    /// unless it returns `.added`.
    func addMask(_ mask: NewMask, importID: Int64) throws -> MaskWrite

    /// The ids of the masks recorded from the file with this sha256.
    func maskIDs(sha256: String) throws -> [Int64]

    /// The ids a mask id or sha256 (prefix) names; throws `StoreError` when it names none.
    func recordedMaskIDs(_ target: String) throws -> [Int64]

    /// The recorded evaluation of mask by model for these subjects and label, if any.
    func evaluation(mask: Int64, model: Int64, subjects: String, trueLabel: String) throws -> (probability: Double, n: Int?)?

    /// Records an evaluation.
    func addEvaluation(_ evaluation: NewEvaluation, importID: Int64) throws

    // Corrections. Every amendment and removal keeps the record's previous fields in the
    // history (`record_history`), under the import or correction that made it.

    /// Starts a correction's audit-log entry (`rm`, `gc`); returns its id.
    func beginCorrection(_ kind: CorrectionKind, command: String) throws -> Int64

    /// The masks recorded from the file `sha256` for `model` over atlas `atlasID`, by id:
    /// the records an import given `--replace` may amend.
    func masks(sha256: String, model: ModelKey, atlasID: Int64) throws -> [MaskRecord]

    /// The recorded masks with these ids, by id, as they are in this transaction.
    func masks(ids: [Int64]) throws -> [MaskRecord]

    /// Gives mask `id` the settings and source of `mask` (same file, model and atlas),
    /// keeping its id; its densities are replaced when its semantics change.
    func amendMask(_ id: Int64, to mask: NewMask, importID: Int64) throws

    /// Overwrites the probability and n of the recorded evaluation of the same mask,
    /// model, subjects and true label.
    func amendEvaluation(_ evaluation: NewEvaluation, importID: Int64) throws

    /// The recorded evaluation of `evaluation`'s mask, model, subjects and label, as a record.
    func evaluationRecord(_ evaluation: NewEvaluation) throws -> EvaluationRecord?

    /// What is recorded of model `id`, with its metrics.
    func modelRecord(_ id: Int64) throws -> ModelRecord

    /// Keeps model `id`'s fields (and metrics) in the history before an import overwrites them.
    func keepModelHistory(_ id: Int64, importID: Int64) throws

    /// Overwrites model `id`'s `metric` on `dataset`.
    func setMetric(model id: Int64, dataset: String, metric: String, value: Double) throws

    /// Removes a mask with its densities and evaluations (each kept in the history).
    func removeMask(_ id: Int64, correctionID: Int64) throws -> RemovedMask

    /// Removes a model no mask or evaluation refers to, with its metrics (kept in the history).
    func removeModel(_ id: Int64, correctionID: Int64) throws

    /// The stored files no record (mask, atlas, model) refers to, by sha256.
    func unreferencedBlobs() throws -> [UnreferencedBlob]

    /// Deletes a blob no record refers to (its sha256 and size kept in the history).
    func removeBlob(_ sha256: String, correctionID: Int64) throws

    // Atlases and measurements (`maskdb atlas add`, `maskdb measure`).

    /// The registered atlas of this name, nil when there is none.
    func registeredAtlas(named name: String) throws -> RegisteredAtlas?

    /// Registers an atlas whose files are stored blobs, with its regions; returns its id.
    func addAtlas(name: String, imageSHA256: String, labelsSHA256: String, regions: [AtlasRegion]) throws -> Int64

    /// Records an `atlas add`, `measure` or `atlas rm` in the atlas log under the atlas's
    /// name (`count`: regions added, records measured, vectors removed); returns the entry's id.
    @discardableResult
    func logAtlasCommand(_ kind: AtlasCommandKind, command: String, atlasID: Int64, count: Int) throws -> Int64

    /// How many records were imported against atlas `atlasID` (their densities are over it).
    func recordsImported(atlasID: Int64) throws -> Int

    /// How many records have densities over atlas `atlasID`.
    func densityVectors(atlasID: Int64) throws -> Int

    /// Deletes atlas `atlasID`, its regions and every record's densities over it; returns how
    /// many density vectors went. The caller refuses an atlas records were imported against.
    func removeAtlas(atlasID: Int64) throws -> Int

    /// Of the masks with these ids, those without densities over atlas `atlasID`, by id
    /// (ids no longer recorded are left out).
    func unmeasuredMasks(ids: [Int64], atlasID: Int64) throws -> [MeasureTarget]

    /// A recorded mask's stored file, unchecked (whoever decodes it checks its sha256).
    func maskFile(_ id: Int64) throws -> [UInt8]

    /// Records mask `maskID`'s densities over atlas `atlasID`: its region rows and its packed
    /// vector, with the atlas-log entry of the `measure` that computed them.
    func addDensities(_ densities: RegionDensities, maskID: Int64, atlasID: Int64, measuredBy: Int64) throws
}

/// What kind of import an audit-log entry records.
public enum ImportKind: String, Sendable {
    case initialize = "init"
    case masks, models, evaluations
}

/// An import's entry in the audit log.
public struct ImportEntry: Sendable {
    public var kind: ImportKind
    /// The command line, as typed.
    public var command: String
    /// The manifest's absolute path and sha256, when there is one.
    public var manifestPath: String?
    public var manifestSHA256: String?
    public var startedAt: Date
    /// The database its records were merged from (`maskdb merge`): a file's absolute path.
    public var mergedFrom: String?

    /// An entry.
    public init(kind: ImportKind, command: String, manifestPath: String?, manifestSHA256: String?, startedAt: Date, mergedFrom: String? = nil) {
        self.mergedFrom = mergedFrom
        self.kind = kind
        self.command = command
        self.manifestPath = manifestPath
        self.manifestSHA256 = manifestSHA256
        self.startedAt = startedAt
    }
}

/// A model's identity: its study, fold, run and name.
public struct ModelKey: Sendable, Hashable {
    public var study: String
    public var fold: Int
    public var run: Int
    public var name: String

    /// A key.
    public init(study: String, fold: Int, run: Int, name: String) {
        self.study = study
        self.fold = fold
        self.run = run
        self.name = name
    }
}

/// What a store has recorded of a model, for an import to complete or contradict.
public struct RecordedModel: Sendable {
    public var architecture: String
    public var weightsSHA256: String?
    public var params: Parameters

    /// A model's record.
    public init(architecture: String, weightsSHA256: String?, params: Parameters) {
        self.architecture = architecture
        self.weightsSHA256 = weightsSHA256
        self.params = params
    }
}

/// A file a store has measured: its densities depend only on its bytes, the atlas and
/// the semantics, so an import need not decode it again.
public struct MeasuredFile: Sendable, Hashable {
    public var sha256: String
    public var atlasID: Int64
    public var semantics: MaskSemantics
    /// The grid it was measured on (`MaskGrid.key`), nil for its own header's.
    public var grid: String?

    /// A measured file.
    public init(sha256: String, atlasID: Int64, semantics: MaskSemantics, grid: String? = nil) {
        self.sha256 = sha256
        self.atlasID = atlasID
        self.semantics = semantics
        self.grid = grid
    }
}

/// The grid a record is measured on when its file's header lies about its space (a
/// manifest's `grid` column): a reference image's sizes and affine, with that image's
/// sha256 and path for the audit trail. The record's stored bytes on this grid measure it again.
public struct MaskGrid: Sendable, Equatable {
    /// The sha256 of the reference image's file.
    public var sha256: String
    /// The reference image's path, as resolved at import.
    public var source: String
    /// Its sizes and affine.
    public var grid: NIfTIGrid

    /// A record's grid.
    public init(sha256: String, source: String, grid: NIfTIGrid) {
        self.sha256 = sha256
        self.source = source
        self.grid = grid
    }

    /// What identifies the geometry (sizes and affine, as stores keep them): two reference
    /// images of one geometry are one grid.
    public var key: String { Self.key(shape: grid.shape, affine: grid.affine) }

    /// The key of a grid of these sizes and affine: `X,Y,Z;[a00,...,a33]`.
    public static func key(shape: [Int], affine: Affine) -> String {
        shape.map(String.init).joined(separator: ",") + ";" + affineText(affine)
    }

    /// An affine as stores keep it: a JSON array of its 16 row-major entries, each read back exactly.
    public static func affineText(_ affine: Affine) -> String {
        "[" + affine.entries.map { NumberText.exact($0) }.joined(separator: ",") + "]"
    }
}

/// A registered atlas's id and stored files.
public struct StoredAtlasFiles: Sendable {
    public var id: Int64
    /// The label image, as stored.
    public var image: [UInt8]
    /// The label table, as stored.
    public var labels: [UInt8]
    /// The sha256s recorded for them, when the store keeps them (`checked`).
    public var imageSHA256: String?, labelsSHA256: String?

    /// An atlas's files.
    public init(id: Int64, image: [UInt8], labels: [UInt8], imageSHA256: String? = nil, labelsSHA256: String? = nil) {
        self.id = id
        self.image = image
        self.labels = labels
        self.imageSHA256 = imageSHA256
        self.labelsSHA256 = labelsSHA256
    }

    /// Refuses files that no longer hash to their recorded sha256 (`StoreError.damagedFile`):
    /// densities and figures must not be computed from altered bytes.
    public func checked(name: String) throws -> StoredAtlasFiles {
        for (bytes, recorded, file) in [(image, imageSHA256, "image"), (labels, labelsSHA256, "label table")] {
            guard let recorded else { continue }
            let actual = SHA256Digest.hex(bytes)
            if actual != recorded { throw StoreError.damagedFile(record: "atlas \(name)'s \(file)", actual: actual, recorded: recorded) }
        }
        return self
    }
}

/// What recording a mask did.
public enum MaskWrite: Equatable, Sendable {
    /// A new record.
    case added
    /// The file and settings were recorded already, with the same annotations.
    case unchanged
    /// The file and settings were recorded already, with these other annotations: nothing
    /// changed, since which of the two is right is the user's to say.
    case annotationsDiffer(recorded: Parameters)
}

/// A checked mask, ready to be recorded.
public struct NewMask: Sendable {
    public var model: ModelKey
    /// λ1 and λ2: a mask has both, an attribution map may have neither.
    public var lambda1: Double?
    public var lambda2: Double?
    public var beta1: Double?
    public var beta2: Double?
    public var subjects: String
    public var semantics: MaskSemantics
    /// How it was made (`gradients`, `grad-cam`...; '' for optimized masks).
    public var method: String
    /// The one subject it explains ('' for a group).
    public var subject: String
    /// The lab's own settings.
    public var params: Parameters
    /// Its annotations: not part of its identity.
    public var annotations: Parameters
    public var atlasID: Int64
    /// The sha256 of its file.
    public var sha256: String
    /// The file's absolute path.
    public var sourcePath: String
    public var measurement: Measurement
    /// The grid it is measured on, when not its file's header's.
    public var grid: MaskGrid?

    /// What the import learnt from the file.
    public enum Measurement: Sendable {
        /// The store already holds this file measured over this atlas with these
        /// semantics (a `MeasuredFile`): its bytes, grid and densities are copied from there.
        case recorded
        /// A newly measured file: its bytes (stored as they were read and hashed), grid and densities.
        case new(bytes: [UInt8], dims: [Int], affine: Affine, densities: RegionDensities)
    }

    /// A mask.
    public init(
        model: ModelKey, lambda1: Double?, lambda2: Double?, beta1: Double?, beta2: Double?, subjects: String,
        semantics: MaskSemantics, method: String = "", subject: String = "", params: Parameters, annotations: Parameters = Parameters(), atlasID: Int64,
        sha256: String, sourcePath: String, measurement: Measurement, grid: MaskGrid? = nil
    ) {
        self.grid = grid
        self.model = model
        self.lambda1 = lambda1
        self.lambda2 = lambda2
        self.beta1 = beta1
        self.beta2 = beta2
        self.subjects = subjects
        self.semantics = semantics
        self.method = method
        self.subject = subject
        self.params = params
        self.annotations = annotations
        self.atlasID = atlasID
        self.sha256 = sha256
        self.sourcePath = sourcePath
        self.measurement = measurement
    }
}

/// A checked evaluation, ready to be recorded.
public struct NewEvaluation: Sendable {
    public var mask: Int64
    public var model: Int64
    public var subjects: String
    public var trueLabel: String
    public var probability: Double
    public var n: Int?

    /// An evaluation.
    public init(mask: Int64, model: Int64, subjects: String, trueLabel: String, probability: Double, n: Int?) {
        self.mask = mask
        self.model = model
        self.subjects = subjects
        self.trueLabel = trueLabel
        self.probability = probability
        self.n = n
    }
}
