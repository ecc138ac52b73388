import Analysis
import Formatting
import StudyCore

/// The report's charts from the analyses' results.
public enum StudyFigures {
    /// The grid search (the poster's Figure 1): mean perturbation by λ1 (rows) and λ2 (columns),
    /// coloured over the cells' own range.
    public static func grid(_ grid: GridTable, title: String = "Grid search: mean perturbation per mask", decimals: Int = 4) -> HeatmapFigure {
        HeatmapFigure(
            title: title, rowAxis: grid.rowField.label, rows: grid.rows.map(\.description),
            columnAxis: grid.columnField.label, columns: grid.columns.map(\.description), values: grid.means, decimals: decimals,
            scaleNote: "the range of the cells")
    }

    /// ROI-based similarity across a setting's values (the poster's Table 1), each cell with as
    /// many decimals as `maskdb similarity` prints (`decimals`), coloured over the range of the
    /// off-diagonal cells (the diagonal is 1 by definition), so that 0.81 and 0.99 differ.
    /// A cell without a pair is empty.
    public static func similarity(_ matrix: SimilarityMatrix, decimals: Int = 3) -> HeatmapFigure {
        let labels = matrix.values.map(\.description)
        let values = matrix.means.indices.map { a in
            matrix.means[a].indices.map { b in a == b || matrix.pairs[a][b] > 0 ? matrix.means[a][b] : nil }
        }
        let offDiagonal = values.indices.flatMap { a in values[a].indices.compactMap { b in a == b ? nil : values[a][b] } }
        let range: ClosedRange<Double>, note: String
        if let low = offDiagonal.min(), let high = offDiagonal.max(), low < high {
            (range, note) = (low...high, "the range of the off-diagonal cells")
        } else if let value = offDiagonal.first {
            let (low, high) = (max(0, min(value, 1) - 0.05), min(1, max(value, 0) + 0.05))
            (range, note) = (low...high, "0.05 either side of the off-diagonal cells' one value (within 0 to 1)")
        } else {
            (range, note) = (0...1, "no off-diagonal cell has a pair")
        }
        return HeatmapFigure(
            title: "ROI-based similarity across \(matrix.field.label)", rowAxis: matrix.field.label, rows: labels,
            columnAxis: matrix.field.label, columns: labels, values: values, decimals: decimals, range: range,
            diagonalOffScale: true, scaleNote: note + " (the diagonal is 1 by definition)")
    }

    /// The top regions: mean density with its interval where the rows have one, and how
    /// many masks have each in their top k.
    public static func topRegions(_ rows: [TopRegionRow], k: Int, limit: Int = 12, decimals: Int = 3, intervals: String? = nil) -> BarChartFigure {
        let shown = Array(rows.prefix(limit))
        var legend: [String] = []
        if shown.contains(where: { $0.meanDensityInterval != nil }) {
            legend.append("Whiskers: " + (intervals ?? "the mean densities' intervals") + ".")
        }
        if rows.count > shown.count { legend.append("The first \(shown.count) of \(rows.count) regions.") }
        return BarChartFigure(
            title: "Top regions: mean perturbation density", valueAxis: "mean density over the masks",
            labels: shown.map(\.region.name), values: shown.map(\.meanDensity),
            notes: shown.map { "top \(k) in \($0.inTopK)/\($0.masks)" }, decimals: decimals,
            intervals: shown.map(\.meanDensityInterval), legend: legend)
    }

    /// Robustness: the mean ROI cosine of inter-run and inter-fold pairs with their intervals
    /// as whiskers, beside the random-pair baseline; the intervals' method, the difference
    /// and its p-value below.
    public static func robustness(_ table: RobustnessTable, decimals: Int = 3) -> BarChartFigure {
        func pairs(_ mean: Mean) -> String { "\(mean.count) \(mean.count == 1 ? "pair" : "pairs")" }
        let resampled = table.intervals.resamples > 0
        var legend = [resampled ? "Whiskers: " + table.intervals.description + "." : "No intervals (0 resamples)."]
        if resampled && (table.roiInterRunsInterval == nil || table.roiInterFoldsInterval == nil) {
            legend.append("A mean without whiskers has no interval: no pair, one model a side, or pairs pooled over models.")
        }
        if let difference = table.roiDifference {
            let interval = table.roiDifferenceInterval.map {
                " [\(NumberText.fixed($0.lower, decimals: decimals)), \(NumberText.fixed($0.upper, decimals: decimals))]"
            } ?? ""
            let p = table.roiDifferenceP.map { ", p = \(NumberText.fixed($0, decimals: 4))" } ?? ""
            legend.append("Inter-runs - inter-folds: \(NumberText.fixed(difference, decimals: decimals))\(interval)\(p).")
        }
        legend.append("Random pairs: masks of different models and different settings, the baseline of chance"
            + (table.roiRandomPairsSampled ? " (the mean of \(table.roiRandomPairs.count) pairs drawn at random)." : "."))
        let cosine = table.measureName == "roi_cosine"
        return BarChartFigure(
            title: cosine ? "Robustness: ROI-based similarity across runs and folds" : "Robustness: \(table.measureName) across runs and folds",
            valueAxis: cosine ? "mean ROI cosine similarity (1 = same regions)" : "mean \(table.measureName) (1 = the same)",
            labels: ["inter-run pairs", "inter-fold pairs", "random pairs"],
            values: [table.roiInterRuns.value, table.roiInterFolds.value, table.roiRandomPairs.value],
            notes: [pairs(table.roiInterRuns), pairs(table.roiInterFolds), pairs(table.roiRandomPairs)], decimals: decimals,
            intervals: [table.roiInterRunsInterval, table.roiInterFoldsInterval, nil], legend: legend)
    }
}
