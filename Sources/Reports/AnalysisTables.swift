import Analysis

/// The analyses' results as tables, in the shapes the CLI prints and reports embed.
public enum AnalysisTables {
    /// First header cell FIELD, then one column per value (ascending); one row per value;
    /// empty cells where no pair exists. With `counts`, a `pairs VALUE` column per value follows;
    /// with the matrix's intervals, a `lower VALUE` and then an `upper VALUE` column per value.
    public static func similarity(_ matrix: SimilarityMatrix, counts: Bool, decimals: Int = 3) -> Table {
        let labels = matrix.values.map(\.description)
        var columns = [Table.Column(matrix.field.name)] + labels.map { Table.Column($0, decimals: decimals) }
        if counts { columns += labels.map { Table.Column("pairs \($0)") } }
        if matrix.intervals != nil {
            columns += labels.map { Table.Column("lower \($0)", decimals: decimals) } + labels.map { Table.Column("upper \($0)", decimals: decimals) }
        }
        var table = Table(columns: columns)
        for (a, label) in labels.enumerated() {
            var row: [Table.Cell] = [.text(label)] + matrix.means[a].map { .number($0) }
            if counts { row += matrix.pairs[a].map { .integer($0) } }
            if let intervals = matrix.intervals {
                row += intervals[a].map { .number($0?.lower) } + intervals[a].map { .number($0?.upper) }
            }
            table.append(row)
        }
        return table
    }

    /// `metric,inter_runs,inter_folds,inter_runs_pairs,inter_folds_pairs`, then each ROI
    /// mean's interval, their difference (inter-runs - inter-folds) with its interval and
    /// p-value, and the random-pair baseline with its pairs (`RobustnessTable`).
    public static func robustness(_ result: RobustnessTable, decimals: Int = 3) -> Table {
        var table = Table(columns: robustnessColumns(first: "metric", decimals: decimals))
        table.append(
            [.text("prob_cnn"), .number(result.probInterRuns.value), .number(result.probInterFolds.value),
             .integer(result.probInterRuns.count), .integer(result.probInterFolds.count),
             .number(result.probInterRunsInterval?.lower), .number(result.probInterRunsInterval?.upper),
             .number(result.probInterFoldsInterval?.lower), .number(result.probInterFoldsInterval?.upper),
             .number(result.probDifference), .number(result.probDifferenceInterval?.lower), .number(result.probDifferenceInterval?.upper),
             .number(result.probDifferenceP), .empty, .empty])
        table.append(measureRow(result))
        return table
    }

    /// The robustness table's columns, named `first` first.
    private static func robustnessColumns(first: String, decimals: Int) -> [Table.Column] {
        [
            .init(first), .init("inter_runs", decimals: decimals), .init("inter_folds", decimals: decimals),
            .init("inter_runs_pairs"), .init("inter_folds_pairs"),
            .init("inter_runs_lower", decimals: decimals), .init("inter_runs_upper", decimals: decimals),
            .init("inter_folds_lower", decimals: decimals), .init("inter_folds_upper", decimals: decimals),
            .init("difference", decimals: decimals), .init("difference_lower", decimals: decimals),
            .init("difference_upper", decimals: decimals), .init("p_value", decimals: 4),
            .init("random_pairs", decimals: decimals), .init("random_pairs_count"),
        ]
    }

    /// The row of a robustness table's measure of mask pairs.
    private static func measureRow(_ result: RobustnessTable) -> [Table.Cell] {
        [.text(result.measureName), .number(result.roiInterRuns.value), .number(result.roiInterFolds.value),
             .integer(result.roiInterRuns.count), .integer(result.roiInterFolds.count),
             .number(result.roiInterRunsInterval?.lower), .number(result.roiInterRunsInterval?.upper),
             .number(result.roiInterFoldsInterval?.lower), .number(result.roiInterFoldsInterval?.upper),
             .number(result.roiDifference), .number(result.roiDifferenceInterval?.lower), .number(result.roiDifferenceInterval?.upper),
             .number(result.roiDifferenceP), .number(result.roiRandomPairs.value), .integer(result.roiRandomPairs.count)]
    }

    /// The robustness table's columns, a row per measure of two masks (no prob_cnn).
    public static func measures(_ tables: [RobustnessTable], decimals: Int = 3) -> Table {
        var table = Table(columns: robustnessColumns(first: "measure", decimals: decimals))
        for result in tables { table.append(measureRow(result)) }
        return table
    }

    /// `group,rank,label,name,in_top_k,masks,mean_density,mean_rank,mean_density_lower,mean_density_upper`
    /// (densities to `densityDecimals` of the means, unless `decimals` says; the interval's
    /// cells empty where a row has none).
    public static func topRegions(_ rows: [TopRegionRow], decimals: Int? = nil) -> Table {
        let decimals = decimals ?? densityDecimals(rows.map(\.meanDensity))
        var table = Table(columns: [
            .init("group"), .init("rank"), .init("label"), .init("name"), .init("in_top_k"), .init("masks"),
            .init("mean_density", decimals: decimals), .init("mean_rank", decimals: 2),
            .init("mean_density_lower", decimals: decimals), .init("mean_density_upper", decimals: decimals),
        ])
        for row in rows {
            table.append([
                .text(row.group?.description ?? "all"), .integer(row.rank),
                row.region.label.map { .integer($0) } ?? .empty, .text(row.region.name), .integer(row.inTopK),
                .integer(row.masks), .number(row.meanDensity), .number(row.meanRank),
                .number(row.meanDensityInterval?.lower), .number(row.meanDensityInterval?.upper),
            ])
        }
        return table
    }

    /// First header cell the row field, then `COLUMNFIELD=value` per column; one row per row value.
    /// With `counts`, an `n COLUMNFIELD=value` column per column follows.
    public static func grid(_ grid: GridTable, counts: Bool = false, decimals: Int? = nil) -> Table {
        let decimals = decimals ?? densityDecimals(grid.means.flatMap { $0 })
        let labels = grid.columns.map { "\(grid.columnField.name)=\($0)" }
        var columns = [Table.Column(grid.rowField.name)] + labels.map { Table.Column($0, decimals: decimals) }
        if counts { columns += labels.map { Table.Column("n \($0)") } }
        var table = Table(columns: columns)
        for (r, value) in grid.rows.enumerated() {
            var row: [Table.Cell] = [.text(value.description)] + grid.means[r].map { .number($0) }
            if counts { row += grid.counts[r].map { .integer($0) } }
            table.append(row)
        }
        return table
    }

    /// 4 decimals, as masks' densities always printed, unless the largest value is below 0.001
    /// (an attribution map's mean |a|, often of order 1e-5, would print as 0.0000): then
    /// enough for 4 significant digits of it.
    public static func densityDecimals(_ values: [Double?]) -> Int {
        guard var largest = values.compactMap({ $0.map(abs) }).max(), largest > 0, largest.isFinite, largest < 0.001 else { return 4 }
        // The decimals before the largest value's first significant digit, plus 3.
        var leading = 0
        while largest < 1 && leading < 14 {
            largest *= 10
            leading += 1
        }
        return max(4, leading + 3)
    }
}
