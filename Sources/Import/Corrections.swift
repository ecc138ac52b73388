import Store
import StudyCore

/// What makes a correction impossible; nothing is changed.
public enum CorrectionError: Error, Equatable, Sendable {
    /// The targets and filter name no record (`what`: how they were given).
    case nothingMatches(what: String, records: RecordKind)
    /// Neither targets nor a filter: `rm` never removes everything unasked.
    case nothingNamed(records: RecordKind)
}

extension CorrectionError: CustomStringConvertible {
    /// The message: what was given, and what to do.
    public var description: String {
        switch self {
        case let .nothingMatches(what, records): "\(what): matches no recorded \(records.singular); nothing was removed"
        case let .nothingNamed(records):
            records == .masks
                ? "name the masks to remove: mask ids, sha256 (prefixes) or files, or --where EXPR (rm never removes everything unasked)"
                : "name the models to remove: model ids, or --where EXPR (rm never removes everything unasked)"
        }
    }
}

extension StudyStore {
    /// The masks `targets` (mask ids, sha256 prefixes, files: each names every record of
    /// its file) and `filter` name: the targets' records passing the filter, or with no
    /// target every record passing it. A target naming records of several files is
    /// ambiguous; a target or filter naming nothing is an error.
    public func masksToRemove(targets: [String], filter: FilterExpression?, filterText: String?) throws -> [Int64] {
        guard !targets.isEmpty || filter != nil else { throw CorrectionError.nothingNamed(records: .masks) }
        var ids: Set<Int64> = []
        for target in targets {
            let named = try resolveMasks(target)
            if Set(try masks(ids: named).map(\.sha256)).count > 1 { throw StoreError.ambiguous(target: target, ids: named) }
            ids.formUnion(named)
        }
        if let filter {
            let passing = Set(try masks(where: filter).map(\.id))
            ids = targets.isEmpty ? passing : ids.intersection(passing)
        }
        guard !ids.isEmpty else {
            let what = (targets + (filterText.map { ["--where \"\($0)\""] } ?? [])).joined(separator: " ")
            throw CorrectionError.nothingMatches(what: what, records: .masks)
        }
        return ids.sorted()
    }

    /// Removes masks with their densities and evaluations in one transaction (rolled back
    /// when `dryRun`), each record's fields kept in the history under one `rm` entry.
    public func removeMasks(_ ids: [Int64], command: String, dryRun: Bool) throws -> [RemovedMask] {
        try write(dryRun: dryRun) { transaction in
            let correction = try transaction.beginCorrection(.rm, command: command)
            return try ids.map { try transaction.removeMask($0, correctionID: correction) }
        }
    }

    /// The models `filter` names (every one passing it); models are removed by filter only,
    /// and none matching is an error.
    public func modelsToRemove(filter: FilterExpression?, filterText: String?) throws -> [ModelRecord] {
        guard let filter else { throw CorrectionError.nothingNamed(records: .models) }
        let models = try models(where: filter)
        guard !models.isEmpty else { throw CorrectionError.nothingMatches(what: "--where \"\(filterText ?? "")\"", records: .models) }
        return models
    }

    /// Removes models no mask or evaluation refers to, with their metrics, in one transaction
    /// (rolled back when `dryRun`); a model still referred to refuses the whole removal.
    public func removeModels(_ models: [ModelRecord], command: String, dryRun: Bool) throws {
        try write(dryRun: dryRun) { transaction in
            let correction = try transaction.beginCorrection(.rm, command: command)
            for model in models { try transaction.removeModel(model.id, correctionID: correction) }
        }
    }

    /// Deletes every stored file no record refers to (a mask's, an atlas's, a model's
    /// weights) in one transaction, rolled back when `dryRun`; each is named in the history
    /// under one `gc` entry. Nothing to delete writes nothing.
    public func collectGarbage(command: String, dryRun: Bool) throws -> CollectedGarbage {
        try write(dryRun: dryRun) { transaction in
            let blobs = try transaction.unreferencedBlobs()
            guard !blobs.isEmpty else { return CollectedGarbage(blobs: []) }
            let correction = try transaction.beginCorrection(.gc, command: command)
            for blob in blobs { try transaction.removeBlob(blob.sha256, correctionID: correction) }
            return CollectedGarbage(blobs: blobs)
        }
    }
}
