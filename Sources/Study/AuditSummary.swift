import Formatting
import Reports
import Store
import StudyCore

/// What `audit` prints about a mask's records: a readable block or a JSON object per record.
public enum AuditSummary {
    /// The records as one JSON array.
    public static func json(_ records: [AuditRecord]) -> JSONValue {
        .array(records.map(json))
    }

    /// The records' blocks, a blank line between them.
    public static func text(_ records: [AuditRecord]) -> String {
        records.map(text).joined(separator: "\n\n")
    }

    /// One record as a JSON object.
    public static func json(_ record: AuditRecord) -> JSONValue {
        let mask = record.mask, model = record.model
        return .object([
            ("mask_id", .integer(Int(mask.id))),
            (StudyField.sha256.name, .string(mask.sha256)),
            (StudyField.study.name, .string(mask.study)),
            (StudyField.fold.name, .integer(mask.fold)),
            (StudyField.run.name, .integer(mask.run)),
            (StudyField.model.name, .object([
                ("id", .integer(Int(model.id))),
                ("name", .string(model.name)),
                (StudyField.architecture.name, .string(model.architecture)),
                ("params", .raw(model.params.json)),
                ("metrics", .object(model.metrics.map { ("\($0.dataset).\($0.metric)", .number($0.value)) })),
                ("weights_sha256", model.weightsSHA256.map { .string($0) } ?? .null),
            ])),
            (StudyField.lambda1.name, .number(mask.lambda1)),
            (StudyField.lambda2.name, .number(mask.lambda2)),
            (StudyField.beta1.name, .number(mask.beta1)),
            (StudyField.beta2.name, .number(mask.beta2)),
            (StudyField.subjects.name, .string(mask.subjects)),
            (StudyField.semantics.name, .string(mask.semantics.rawValue)),
            (StudyField.kind.name, .string(mask.semantics.kind.rawValue)),
            (StudyField.method.name, .string(mask.method)),
            (StudyField.subject.name, .string(mask.subject)),
            ("params", .raw(mask.params.json)),
            ("annotations", .raw(mask.annotations.json)),
            (StudyField.atlas.name, .string(mask.atlas)),
            ("source", .string(mask.source)),
            ("grid", record.grid.map { grid in
                .object([
                    ("dims", .array(grid.grid.shape.map { .integer($0) })), ("affine", .raw(MaskGrid.affineText(grid.grid.affine))),
                    ("source", .string(grid.source)), ("sha256", .string(grid.sha256)),
                ])
            } ?? .null),
            ("measured_over", .array(record.measurements.map { measurement in
                .object([
                    ("atlas", .string(measurement.atlas)), ("at", measurement.at.map { .string($0) } ?? .null),
                    ("command", measurement.command.map { .string($0) } ?? .null),
                ])
            })),
            ("imported_at", .string(mask.importedAt)),
            ("import_command", .string(record.importCommand)),
            ("manifest", record.manifestPath.map { .string($0) } ?? .null),
            ("manifest_line", record.manifestLine.map { .integer($0) } ?? .null),
            ("merged_from", record.mergedFrom.map { .string($0) } ?? .null),
        ])
    }

    /// One record as indented lines.
    public static func text(_ record: AuditRecord) -> String {
        let mask = record.mask, model = record.model
        func number(_ value: Double?) -> String { value.map(NumberText.exact) ?? "-" }
        var lines = [
            "mask \(mask.id)  sha256 \(mask.sha256)",
            "  study        \(mask.study)",
            "  fold \(mask.fold), run \(mask.run)" + (mask.model.isEmpty ? "" : ", model \(mask.model)"),
            "  λ1 \(number(mask.lambda1)), λ2 \(number(mask.lambda2)), β1 \(number(mask.beta1)), β2 \(number(mask.beta2))",
            "  subjects     \(mask.subjects.isEmpty ? "-" : mask.subjects)",
            "  semantics    \(mask.semantics)",
            "  atlas        \(mask.atlas)",
        ]
        // Masks' lines as before; a map's method and subject when it has them.
        if !mask.method.isEmpty { lines.insert("  method       \(mask.method)", at: lines.count - 1) }
        if !mask.subject.isEmpty { lines.insert("  subject      \(mask.subject)", at: lines.count - 1) }
        if !mask.params.isEmpty { lines.append("  settings     \(mask.params.json)") }
        if !mask.annotations.isEmpty { lines.append("  annotations  \(mask.annotations.json)") }
        lines.append("  model        id \(model.id)" + (model.architecture.isEmpty ? "" : ", \(model.architecture)"))
        if !model.params.isEmpty { lines.append("    training   \(model.params.json)") }
        for metric in model.metrics {
            lines.append("    \(metric.dataset) \(metric.metric) = \(NumberText.exact(metric.value))")
        }
        if let weights = model.weightsSHA256 { lines.append("    weights    sha256 \(weights)") }
        lines.append("  source       \(mask.source)")
        if let grid = record.grid {
            lines.append("  grid         \(grid.grid.shapeText), affine \(MaskGrid.affineText(grid.grid.affine)), from \(grid.source) (sha256 \(grid.sha256)): measured on it, not on its file's header")
        }
        for measurement in record.measurements {
            let when = measurement.at.map { " \($0)" + (measurement.command.map { " by \($0)" } ?? "") } ?? ""
            lines.append("  measured     over atlas \(measurement.atlas)\(when)")
        }
        let origin = record.mergedFrom.map { " merged from \($0)" + (record.manifestLine.map { " (its mask \($0) there)" } ?? "") }
            ?? record.manifestPath.map { " from \($0)" + (record.manifestLine.map { " line \($0)" } ?? "") } ?? ""
        lines.append("  imported     \(mask.importedAt)\(origin)")
        lines.append("  by           \(record.importCommand)")
        return lines.joined(separator: "\n")
    }
}

extension AuditSummary {
    /// A file's history, one line per event, oldest first:
    /// `2026-12-01T10:00:00Z  amended mask 3: λ1 0.1 → 0.01  (maskdb import masks fix.tsv --replace)`.
    public static func history(_ events: [HistoryEvent]) -> String {
        (["history"] + events.map { "  \($0.at)  \(describe($0))  (\($0.command))" }).joined(separator: "\n")
    }

    /// What an event did, in words.
    static func describe(_ event: HistoryEvent) -> String {
        let id = event.recordID.map { " \($0)" } ?? ""
        switch (event.action, event.record) {
        case (.imported, _):
            if let source = event.mergedFrom { return "merged from \(source)" + (event.manifestLine.map { " (its mask \($0) there)" } ?? "") }
            return "imported" + (event.manifestPath.map { " from \($0)" + (event.manifestLine.map { " line \($0)" } ?? "") } ?? "")
        case (.removed, .blob):
            let size = event.before.flatMap { try? HistoryJSON.decode(UnreferencedBlob.self, from: $0) }?.size
            return "deleted its stored file" + (size.map { " (\($0) bytes)" } ?? "")
        case (let action, .mask):
            let before = event.before.flatMap { try? HistoryJSON.decode(MaskRecord.self, from: $0) }
            let after = event.after.flatMap { try? HistoryJSON.decode(MaskRecord.self, from: $0) }
            if action == .amended, let before, let after { return "amended mask\(id): " + before.changes(to: after).joined(separator: ", ") }
            return "\(action.rawValue) " + (before.map(CorrectionSummary.describe) ?? "mask\(id)")
        case (let action, .evaluation):
            let before = event.before.flatMap { try? HistoryJSON.decode(EvaluationRecord.self, from: $0) }
            let after = event.after.flatMap { try? HistoryJSON.decode(EvaluationRecord.self, from: $0) }
            guard let before else { return "\(action.rawValue) evaluation\(id)" }
            let what = "evaluation\(id) of mask \(before.maskID) by fold \(before.fold) run \(before.run)" + (before.model.isEmpty ? "" : " model \(before.model)")
            if action == .amended, let after { return "amended \(what): " + before.changes(to: after).joined(separator: ", ") }
            return "\(action.rawValue) \(what) (probability \(NumberText.exact(before.probability)))"
        case (let action, .model):
            let before = event.before.flatMap { try? HistoryJSON.decode(ModelRecord.self, from: $0) }
            let after = event.after.flatMap { try? HistoryJSON.decode(ModelRecord.self, from: $0) }
            if action == .amended, let before, let after { return "amended model\(id): " + before.changes(to: after).joined(separator: ", ") }
            return "\(action.rawValue) model\(id)"
        case (.amended, .blob):
            return "amended its stored file"
        }
    }
}
