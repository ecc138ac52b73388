import Analysis
import StudyCore

/// The report's charts from the analyses' results.
public enum StudyFigures {
    /// The grid search (the poster's Figure 1): mean perturbation by λ1 (rows) and λ2 (columns).
    public static func grid(_ grid: GridTable, title: String = "Grid search: mean perturbation per mask") -> HeatmapFigure {
        HeatmapFigure(
            title: title, rowAxis: grid.rowField.label, rows: grid.rows.map(\.description),
            columnAxis: grid.columnField.label, columns: grid.columns.map(\.description), values: grid.means, decimals: 4)
    }

    /// ROI-based similarity across a setting's values (the poster's Table 1), on a 0 to 1 scale.
    public static func similarity(_ matrix: SimilarityMatrix) -> HeatmapFigure {
        let values = matrix.values.map(\.description)
        return HeatmapFigure(
            title: "ROI-based similarity across \(matrix.field.label)", rowAxis: matrix.field.label, rows: values,
            columnAxis: matrix.field.label, columns: values, values: matrix.means, decimals: 2, range: 0...1)
    }

    /// The top regions: mean density, with how many masks have each in their top k.
    public static func topRegions(_ rows: [TopRegionRow], k: Int, limit: Int = 12) -> BarChartFigure {
        let shown = Array(rows.prefix(limit))
        return BarChartFigure(
            title: "Top regions: mean perturbation density", valueAxis: "mean density over the masks",
            labels: shown.map(\.region.name), values: shown.map(\.meanDensity),
            notes: shown.map { "top \(k) in \($0.inTopK)/\($0.masks)" }, decimals: 3)
    }
}
