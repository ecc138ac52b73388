import Store
import StudyCore

/// What `rm` and `gc` print: one line per record, then the totals; a dry run's lines say
/// "would" and its last line says nothing was written.
public enum CorrectionSummary {
    /// A mask's record in one line: `mask 3 (sha256 0123456789ab, study s, fold 0, run 1, λ1 0.1, λ2 0.001)`.
    public static func describe(_ mask: MaskRecord) -> String {
        // The kind is not named: the semantics it follows from are.
        let fields = StudyField.maskFields.filter { $0.role != .record && $0 != .kind }.compactMap { field -> String? in
            let value = mask[field]
            return value == .missing || value == .text("") ? nil : "\(field.label) \(value)"
        }
        return "mask \(mask.id) (" + (["sha256 \(mask.sha256.prefix(12))"] + fields).joined(separator: ", ") + ")"
    }

    /// What `rm` removed (or would remove) of masks.
    public static func removed(_ removed: [RemovedMask], dryRun: Bool, location: String) -> String {
        let verb = dryRun ? "would remove" : "removed"
        var lines = removed.map { "\(verb) \(describe($0.mask)): \(count($0.densities, "density", "densities")), \(count($0.evaluations, "evaluation"))" }
        let densities = removed.reduce(0) { $0 + $1.densities }, evaluations = removed.reduce(0) { $0 + $1.evaluations }
        let total = "\(count(removed.count, "mask")) \(dryRun ? "would be removed" : "removed"), with \(count(densities, "density", "densities")) and \(count(evaluations, "evaluation"))"
        lines.append(dryRun
            ? "dry run: \(location): \(total); nothing was written"
            : "\(location): \(total); the audit log keeps them (maskdb audit), their files stay stored until maskdb gc")
        return lines.joined(separator: "\n")
    }

    /// What `rm --models` removed (or would remove).
    public static func removed(_ models: [ModelRecord], dryRun: Bool, location: String) -> String {
        let verb = dryRun ? "would remove" : "removed"
        var lines = models.map { model in
            "\(verb) model \(model.id) (study \(model.study), fold \(model.fold), run \(model.run)\(model.name.isEmpty ? "" : ", model \(model.name)")): \(count(model.metrics.count, "metric"))"
        }
        let total = "\(count(models.count, "model")) \(dryRun ? "would be removed" : "removed")"
        lines.append(dryRun ? "dry run: \(location): \(total); nothing was written" : "\(location): \(total); the audit log keeps them")
        return lines.joined(separator: "\n")
    }

    /// What `gc` deleted (or would delete).
    public static func collected(_ garbage: CollectedGarbage, dryRun: Bool, vacuumed: Bool, location: String) -> String {
        guard !garbage.blobs.isEmpty else { return "\(location): every stored file is referred to; nothing to delete" }
        let verb = dryRun ? "would delete" : "deleted"
        var lines = garbage.blobs.map { "\(verb) file sha256 \($0.sha256) (\(count($0.size, "byte")))" }
        let total = "\(count(garbage.blobs.count, "unreferenced file")) (\(count(garbage.bytes, "byte")))"
        lines.append(
            dryRun ? "dry run: \(location): \(total) would be deleted; nothing was written"
                : "\(location): \(total) deleted; " + (vacuumed ? "the file was compacted" : "the file shrinks by them when compacted (maskdb gc --vacuum)"))
        return lines.joined(separator: "\n")
    }

    /// `1 mask`, `2 masks`.
    static func count(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(n) \(n == 1 ? singular : plural ?? singular + "s")"
    }
}
