import Foundation
import StudyCore

/// The commands that correct a database without importing, as the audit log names them.
public enum CorrectionKind: String, Sendable {
    /// `maskdb rm`: records removed.
    case rm
    /// `maskdb gc`: blobs no record refers to any more deleted.
    case gc
}

/// The kinds of records whose previous state the history keeps.
public enum HistoryRecordKind: String, Sendable, Codable {
    case mask, evaluation, model, blob
}

/// What happened to a record, in the audit log.
public enum HistoryAction: String, Sendable, Codable {
    /// Added by an import (from the import rows: the record's fields are those recorded then).
    case imported
    /// Its fields replaced by an import given `--replace` (the record keeps its id).
    case amended
    /// Removed by `maskdb rm` (or, for a blob, `maskdb gc`).
    case removed
}

/// One event of a file's (or a record's) life, from the audit log, oldest first.
public struct HistoryEvent: Sendable, Equatable {
    public var action: HistoryAction
    public var record: HistoryRecordKind
    /// The record's id (nil for a blob, and for an import row, which names a file).
    public var recordID: Int64?
    /// When (ISO 8601, to the second) and by which command line.
    public var at: String
    public var command: String
    /// For an import: the manifest and the row's line in it.
    public var manifestPath: String?
    public var manifestLine: Int?
    /// For a merge (`maskdb merge`): the database the record came from (`manifestLine` is its id there).
    public var mergedFrom: String?
    /// The record's fields before the event, as a JSON object (amended, removed).
    public var before: String?
    /// Its fields after an amendment, as a JSON object (the next event's `before`, or the record as it is now).
    public var after: String?

    /// An event.
    public init(
        action: HistoryAction, record: HistoryRecordKind, recordID: Int64?, at: String, command: String,
        manifestPath: String? = nil, manifestLine: Int? = nil, mergedFrom: String? = nil, before: String? = nil, after: String? = nil
    ) {
        self.mergedFrom = mergedFrom
        self.action = action
        self.record = record
        self.recordID = recordID
        self.at = at
        self.command = command
        self.manifestPath = manifestPath
        self.manifestLine = manifestLine
        self.before = before
        self.after = after
    }
}

/// What removing one mask removed with it.
public struct RemovedMask: Sendable, Equatable {
    /// The mask as it was.
    public var mask: MaskRecord
    public var densities: Int
    public var evaluations: Int

    /// A removal.
    public init(mask: MaskRecord, densities: Int, evaluations: Int) {
        self.mask = mask
        self.densities = densities
        self.evaluations = evaluations
    }
}

/// A stored file no record refers to.
public struct UnreferencedBlob: Sendable, Equatable, Codable {
    public var sha256: String
    public var size: Int

    /// A blob.
    public init(sha256: String, size: Int) {
        self.sha256 = sha256
        self.size = size
    }
}

/// What `maskdb gc` deleted (or, in a dry run, would delete).
public struct CollectedGarbage: Sendable, Equatable {
    public var blobs: [UnreferencedBlob]
    /// Their bytes in all.
    public var bytes: Int { blobs.reduce(0) { $0 + $1.size } }

    /// What was collected.
    public init(blobs: [UnreferencedBlob]) {
        self.blobs = blobs
    }
}

extension MaskRecord {
    /// What differs from `self` in `new`, as people read it: `λ1 0.1 → 0.01` (the settings,
    /// the model's identity, the semantics, each parameter and the source file).
    public func changes(to new: MaskRecord) -> [String] {
        let fields = StudyField.maskFields.filter { $0.role != .record }
        var changes = fields.compactMap { field in
            self[field] == new[field] ? nil : "\(field.label) \(self[field]) → \(new[field])"
        }
        // Parameters and annotations as written: `007` → `7` is a change.
        for (old, value, field) in [(params, new.params, StudyField.parameter), (annotations, new.annotations, StudyField.annotation)] {
            for name in Set(old.values.keys).union(value.values.keys).sorted() where old.values[name]?.text != value.values[name]?.text {
                changes.append("\(field(name).label) \(old.values[name]?.text ?? "-") → \(value.values[name]?.text ?? "-")")
            }
        }
        if source != new.source { changes.append("source \(source) → \(new.source)") }
        return changes
    }
}

extension EvaluationRecord {
    /// What differs from `self` in `new`: the probability and n.
    public func changes(to new: EvaluationRecord) -> [String] {
        var changes: [String] = []
        if probability != new.probability {
            changes.append("probability \(SettingValue.number(probability).description) → \(SettingValue.number(new.probability).description)")
        }
        if n != new.n { changes.append("n \(n.map(String.init) ?? "-") → \(new.n.map(String.init) ?? "-")") }
        return changes
    }
}

extension ModelRecord {
    /// What differs from `self` in `new`: architecture, weights, each parameter and metric.
    public func changes(to new: ModelRecord) -> [String] {
        var changes: [String] = []
        if architecture != new.architecture { changes.append("architecture '\(architecture)' → '\(new.architecture)'") }
        if weightsSHA256 != new.weightsSHA256 {
            changes.append("weights \(weightsSHA256.map { String($0.prefix(12)) } ?? "-") → \(new.weightsSHA256.map { String($0.prefix(12)) } ?? "-")")
        }
        for name in Set(params.values.keys).union(new.params.values.keys).sorted() {
            let (old, value) = (params.values[name]?.text, new.params.values[name]?.text)
            if old != value { changes.append("\(StudyField.parameter(name).label) \(old ?? "-") → \(value ?? "-")") }
        }
        let oldMetrics = Dictionary(metrics.map { ("\($0.dataset).\($0.metric)", $0.value) }) { $1 }
        let newMetrics = Dictionary(new.metrics.map { ("\($0.dataset).\($0.metric)", $0.value) }) { $1 }
        for name in Set(oldMetrics.keys).union(newMetrics.keys).sorted() where oldMetrics[name] != newMetrics[name] {
            let text = { (value: Double?) in value.map { SettingValue.number($0).description } ?? "-" }
            changes.append("metric.\(name) \(text(oldMetrics[name])) → \(text(newMetrics[name]))")
        }
        return changes
    }
}

/// How records are kept in the history: JSON objects with sorted keys, numbers exact.
public enum HistoryJSON {
    /// `value` as a JSON object.
    public static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// A record back from its JSON.
    public static func decode<T: Decodable>(_ type: T.Type, from json: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(json.utf8))
    }
}
