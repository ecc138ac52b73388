import StudyCore

/// A two-way table of means, e.g. mean mask density over λ1 x λ2 (the poster's Figure 1).
public struct GridTable: Sendable, Equatable {
    public var rowField: StudyField
    public var columnField: StudyField
    /// Row values, ascending.
    public var rows: [SettingValue]
    /// Column values, ascending.
    public var columns: [SettingValue]
    /// Mean per cell, nil where no mask has a value.
    public var means: [[Double?]]
    /// Masks per cell.
    public var counts: [[Int]]
}

/// Grid searches over two settings.
public enum GridSearch {
    /// The mean of `value` over the masks in each (row, column) cell; masks whose value
    /// is nil are left out.
    public static func table(
        _ samples: [MaskSample], rows rowField: StudyField, columns columnField: StudyField, value: (MaskSample) -> Double?
    ) -> GridTable {
        // Each sample's two values read once, by position.
        var reader = FieldReader([rowField, columnField])
        let cellValues = samples.map { reader.values(of: $0) }
        let rows = Set(cellValues.map { $0[0] }).sorted()
        let columns = Set(cellValues.map { $0[1] }).sorted()
        let rowIndex = Dictionary(uniqueKeysWithValues: rows.enumerated().map { ($1, $0) })
        let columnIndex = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, $0) })
        var cells = Array(repeating: Array(repeating: Mean(), count: columns.count), count: rows.count)
        for (sample, cell) in zip(samples, cellValues) {
            guard let v = value(sample) else { continue }
            cells[rowIndex[cell[0]]!][columnIndex[cell[1]]!].add(v)
        }
        return GridTable(
            rowField: rowField, columnField: columnField, rows: rows, columns: columns,
            means: cells.map { $0.map(\.value) }, counts: cells.map { $0.map(\.count) })
    }

    /// Per mask, the mean probability its own model gives to inputs it masks.
    public static func ownModelProbability(_ evaluations: [EvaluationSample]) -> [Int64: Double] {
        var means: [Int64: Mean] = [:]
        for e in evaluations where e.isOwnModel { means[e.maskID, default: Mean()].add(e.probability) }
        return means.compactMapValues(\.value)
    }
}
