import Formatting
import Foundation

/// A heatmap as SVG: cells coloured by value (viridis), each annotated with its number,
/// labelled axes, and a colour bar with its range.
public struct HeatmapFigure: Sendable {
    public var title: String
    /// The row axis's name (e.g. "λ1") and the rows' labels, top to bottom.
    public var rowAxis: String
    public var rows: [String]
    /// The column axis's name and the columns' labels, left to right.
    public var columnAxis: String
    public var columns: [String]
    /// Values by row then column; nil cells are drawn empty.
    public var values: [[Double?]]
    /// Decimals of the numbers in the cells.
    public var decimals: Int
    /// The colour scale's range; nil: the values' own minimum and maximum.
    public var range: ClosedRange<Double>?

    /// A heatmap.
    public init(
        title: String, rowAxis: String, rows: [String], columnAxis: String, columns: [String], values: [[Double?]],
        decimals: Int = 3, range: ClosedRange<Double>? = nil
    ) {
        self.title = title
        self.rowAxis = rowAxis
        self.rows = rows
        self.columnAxis = columnAxis
        self.columns = columns
        self.values = values
        self.decimals = decimals
        self.range = range
    }

    /// The scale actually used: `range`, else the values' extent (widened when flat).
    var scale: ClosedRange<Double> {
        if let range { return range }
        let present = values.flatMap { $0.compactMap { $0 } }
        guard let low = present.min(), let high = present.max() else { return 0...1 }
        // One value: a scale a tenth of its size either side (or ±0.5 around 0), so the
        // colour bar's numbers stay near the data.
        let pad = low == 0 ? 0.5 : abs(low) / 10
        return low < high ? low...high : (low - pad)...(high + pad)
    }

    /// The SVG document.
    public func svg() -> String {
        let cell = 76.0, cellHeight = 44.0
        let labelWidth = Double(max(rows.map(\.count).max() ?? 1, 4)) * 8 + 50
        let left = labelWidth, top = 64.0
        let gridWidth = cell * Double(columns.count), gridHeight = cellHeight * Double(rows.count)
        let barX = left + gridWidth + 30
        let width = Int(barX + 90), height = Int(top + gridHeight + 60)
        var svg = SVGWriter(width: width, height: height)
        svg.text(title, x: Double(width) / 2, y: 24, size: 16, anchor: .middle, bold: true)
        svg.text(columnAxis, x: left + gridWidth / 2, y: 46, size: 14, anchor: .middle)
        svg.text(rowAxis, x: 18, y: top + gridHeight / 2, size: 14, anchor: .middle, rotate: -90)
        let scale = scale
        for (c, label) in columns.enumerated() {
            svg.text(label, x: left + cell * (Double(c) + 0.5), y: top + gridHeight + 20, size: 13, anchor: .middle)
        }
        for (r, label) in rows.enumerated() {
            let y = top + cellHeight * Double(r)
            svg.text(label, x: left - 8, y: y + cellHeight / 2 + 5, size: 13, anchor: .end)
            for c in columns.indices {
                let x = left + cell * Double(c)
                guard let value = values[r][c] else {
                    svg.rect(x: x, y: y, width: cell, height: cellHeight, fill: RGB(240, 240, 240), stroke: .white, title: "no value")
                    continue
                }
                let color = Colormap.viridis.color((value - scale.lowerBound) / (scale.upperBound - scale.lowerBound))
                let number = NumberText.fixed(value, decimals: decimals)
                svg.rect(x: x, y: y, width: cell, height: cellHeight, fill: color, stroke: .white, title: "\(rows[r]), \(columns[c]): \(number)")
                svg.text(number, x: x + cell / 2, y: y + cellHeight / 2 + 5, size: 13, anchor: .middle, fill: color.contrastingText)
            }
        }
        // The colour bar: 50 steps from the top (maximum) to the bottom (minimum).
        let steps = 50
        for step in 0..<steps {
            let t = 1 - (Double(step) + 0.5) / Double(steps)
            svg.rect(x: barX, y: top + gridHeight * Double(step) / Double(steps), width: 16,
                     height: gridHeight / Double(steps) + 0.5, fill: Colormap.viridis.color(t))
        }
        svg.text(NumberText.fixed(scale.upperBound, decimals: decimals), x: barX + 22, y: top + 10, size: 12)
        svg.text(NumberText.fixed(scale.lowerBound, decimals: decimals), x: barX + 22, y: top + gridHeight, size: 12)
        return svg.rendered()
    }
}
