import Atlas
import Reports
import Store
import StudyCore

/// Records as the tables the listing commands print (`masks`, `models`, `densities`, `sql`).
public enum RecordTables {
    /// One row per mask, a column per mask field, then its parameters and annotations (JSON) and source; people
    /// get sha256 prefixes (`short`), machines the whole digest.
    public static func masks(_ masks: [MaskRecord], short: Bool) -> Table {
        let fields = StudyField.maskFields
        var table = Table(
            columns: fields.map { Table.Column($0.name, decimals: $0.kind == .number ? nil : 4) } + [.init("params"), .init("annotations"), .init("source")])
        for mask in masks {
            table.append(
                fields.map { field in
                    field == .sha256 && short ? .text(String(mask.sha256.prefix(12))) : cell(mask[field], kind: field.kind)
                } + [.text(mask.params.isEmpty ? "" : mask.params.json), .text(mask.annotations.isEmpty ? "" : mask.annotations.json), .text(mask.source)])
        }
        return table
    }

    /// One row per evaluation: the mask (id and settings), its model's fold and run, the
    /// evaluating model, the subjects and true label, and the probability.
    public static func evaluations(_ evaluations: [EvaluationRecord], of masks: [MaskRecord]) -> Table {
        let masks = Dictionary(uniqueKeysWithValues: masks.map { ($0.id, $0) })
        let maskFields: [StudyField] = [.fold, .run, .lambda1, .lambda2]
        var table = Table(
            columns: [.init("mask_id")] + maskFields.map { .init("mask_\($0.name)", decimals: nil) }
                + [StudyField.study, .fold, .run, .model].map { .init("evaluator_\($0.name)") }
                + [.init(StudyField.subjects.name), .init("true_label"), .init("probability", decimals: nil), .init("n")])
        for e in evaluations {
            let mask = masks[e.maskID]
            table.append(
                [.integer(Int(e.maskID))] + maskFields.map { field in mask.map { cell($0[field], kind: field.kind) } ?? .empty }
                    + [.text(e.study), .integer(e.fold), .integer(e.run), .text(e.model), .text(e.subjects), .text(e.trueLabel),
                       .number(e.probability), e.n.map { .integer($0) } ?? .empty])
        }
        return table
    }

    /// One row per model, with its mask count, weights and parameters, and a column per
    /// `metric.DATASET.NAME` any model reports.
    public static func models(_ models: [ModelRecord]) -> Table {
        let metricNames = Set(models.flatMap { $0.metrics.map { "metric.\($0.dataset).\($0.metric)" } }).sorted()
        let fields = StudyField.modelFields
        var table = Table(
            columns: fields.map { Table.Column($0.name) } + [.init("masks"), .init("weights_sha256"), .init("params")]
                + metricNames.map { .init($0, decimals: 4) })
        for model in models {
            let values = Dictionary(uniqueKeysWithValues: model.metrics.map { ("metric.\($0.dataset).\($0.metric)", $0.value) })
            table.append(
                [
                    .integer(Int(model.id)), .text(model.study), .integer(model.fold), .integer(model.run),
                    .text(model.name), .text(model.architecture), .integer(model.maskCount),
                    .text(model.weightsSHA256 ?? ""), .text(model.params.isEmpty ? "" : model.params.json),
                ] + metricNames.map { .number(values[$0]) })
        }
        return table
    }

    /// The `label,name,density,voxels` table of a density vector.
    public static func densities(_ vector: RegionDensities) -> Table {
        var table = Table(columns: [.init("label"), .init("name"), .init("density", decimals: 6), .init("voxels")])
        for (index, region) in vector.regions.enumerated() {
            table.append([
                .integer(region.label), .text(region.name),
                .number(vector.densities[index]), .integer(vector.voxelCounts[index]),
            ])
        }
        return table
    }

    /// A query's result: its columns as named, values as the database returned them (blobs by size).
    public static func query(columns: [String], rows: [[QueryValue]]) -> Table {
        var table = Table(columns: queryColumns(columns))
        for row in rows { table.append(queryRow(row)) }
        return table
    }

    /// A query's columns as a table's (for `TableStream`).
    public static func queryColumns(_ names: [String]) -> [Table.Column] {
        names.map { .init($0, decimals: nil) }
    }

    /// A query's row as a table's cells (blobs by size).
    public static func queryRow(_ row: [QueryValue]) -> [Table.Cell] {
        row.map { value in
            switch value {
            case .null: .empty
            case .integer(let i): .integer(Int(i))
            case .real(let d): .number(d)
            case .text(let t): .text(t)
            case .blob(let size): .text("<blob \(size) bytes>")
            }
        }
    }

    /// A field's value as a cell: whole numbers as integers, nothing as an empty cell.
    private static func cell(_ value: SettingValue, kind: StudyField.Kind) -> Table.Cell {
        switch value {
        case .missing: .empty
        case .number(let n): kind == .integer ? .integer(Int(n)) : .number(n)
        case .text(let t): .text(t)
        }
    }
}

/// A value of a query's result, as a database returns it.
public enum QueryValue: Sendable, Equatable {
    /// No value.
    case null
    /// A whole number.
    case integer(Int64)
    /// A floating-point number.
    case real(Double)
    /// Text.
    case text(String)
    /// A blob, by its size in bytes (blobs are not printed).
    case blob(size: Int)
}
