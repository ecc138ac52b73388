import Formatting
import Foundation

/// A heatmap as SVG: cells coloured by value (viridis), each annotated with its number,
/// labelled axes, a colour bar with its range and round ticks, and a legend stating the
/// scale. Every text is measured (`TextMetrics`), so cells, margins and the figure are as
/// wide as their texts need.
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
    /// True: the diagonal's cells are drawn grey, off the scale (a similarity's 1 by
    /// definition), and the scale is that of the other cells.
    public var diagonalOffScale: Bool
    /// What the scale's range is, for the legend (e.g. "the range of the off-diagonal cells").
    public var scaleNote: String?

    /// A heatmap.
    public init(
        title: String, rowAxis: String, rows: [String], columnAxis: String, columns: [String], values: [[Double?]],
        decimals: Int = 3, range: ClosedRange<Double>? = nil, diagonalOffScale: Bool = false, scaleNote: String? = nil
    ) {
        self.title = title
        self.rowAxis = rowAxis
        self.rows = rows
        self.columnAxis = columnAxis
        self.columns = columns
        self.values = values
        self.decimals = decimals
        self.range = range
        self.diagonalOffScale = diagonalOffScale
        self.scaleNote = scaleNote
    }

    /// Whether cell (r, c) is drawn on the colour scale.
    func onScale(_ r: Int, _ c: Int) -> Bool { !(diagonalOffScale && r == c) }

    /// The scale actually used: `range`, else the extent of the values on it (widened when flat).
    var scale: ClosedRange<Double> {
        if let range { return range }
        let present = values.enumerated().flatMap { r, row in row.enumerated().compactMap { c, value in onScale(r, c) ? value : nil } }
        guard let low = present.min(), let high = present.max() else { return 0...1 }
        // One value: a scale a tenth of its size either side (or ±0.5 around 0), so the
        // colour bar's numbers stay near the data.
        let pad = low == 0 ? 0.5 : abs(low) / 10
        return low < high ? low...high : (low - pad)...(high + pad)
    }

    static let margin = 12.0, minimumWidth = 440.0
    static let titleSize = 16.0, axisSize = 14.0, labelSize = 13.0, cellSize = 13.0, barSize = 12.0, legendSize = 12.0

    /// The number printed in a cell.
    func cellText(_ value: Double) -> String { NumberText.fixed(value, decimals: decimals) }

    /// The legend's sentence on the scale.
    var scaleLegend: String {
        let scale = scale
        return "Colour scale: \(cellText(scale.lowerBound)) (dark) to \(cellText(scale.upperBound)) (bright)"
            + (scaleNote.map { ", \($0)" } ?? "") + (diagonalOffScale ? "; the grey diagonal is off the scale" : "") + "."
    }

    /// The SVG document.
    public func svg() -> String {
        let m = Self.margin
        func width(_ text: String, _ size: Double, bold: Bool = false) -> Double { TextMetrics.width(text, size: size, bold: bold) }
        let cellTexts = values.joined().compactMap { $0.map(cellText) }
        let cell = max(76, (cellTexts.map { width($0, Self.cellSize) }.max() ?? 0) + 14, (columns.map { width($0, Self.labelSize) }.max() ?? 0) + 10)
        let cellHeight = 44.0
        let left = m + max(rows.map { width($0, Self.labelSize) }.max() ?? 0, width(rowAxis, Self.axisSize)) + 10
        let gridWidth = cell * Double(columns.count), gridHeight = cellHeight * Double(rows.count)
        let scale = scale
        // A flat range given by the caller colours every cell alike rather than dividing by 0.
        let span = scale.upperBound > scale.lowerBound ? scale.upperBound - scale.lowerBound : 1
        // The colour bar's labels: its two ends, and round ticks between them far enough from both.
        let barX = left + gridWidth + 24, barHeight = max(gridHeight, 88)
        func barY(_ value: Double) -> Double { barHeight * (scale.upperBound - value) / span }
        let rounds = AxisTicks(covering: scale.lowerBound, scale.upperBound, target: max(2, Int(barHeight / 30)))
        var barLabels = [(scale.upperBound, cellText(scale.upperBound)), (scale.lowerBound, cellText(scale.lowerBound))]
        for tick in rounds.values where scale.contains(tick) && barY(tick) > 20 && barY(tick) < barHeight - 20 {
            barLabels.append((tick, NumberText.fixed(tick, decimals: rounds.decimals)))
        }
        let barRight = barX + 22 + (barLabels.map { width($0.1, Self.barSize) }.max() ?? 0)
        let contentRight = max(barRight, left + gridWidth / 2 + width(columnAxis, Self.axisSize) / 2)
        var figureWidth = max(contentRight + m, Self.minimumWidth)
        let titleLines = TextMetrics.wrapped(title, size: Self.titleSize, width: figureWidth - 2 * m, bold: true)
        figureWidth = max(figureWidth, (titleLines.map { width($0, Self.titleSize, bold: true) }.max() ?? 0) + 2 * m)
        let legendLines = TextMetrics.wrapped(scaleLegend, size: Self.legendSize, width: figureWidth - 2 * m)

        let top = m + Double(titleLines.count) * 20 + 8 + 22
        let below = top + max(gridHeight, barHeight)
        let height = below + 20 + 22 + 8 + Double(legendLines.count) * 16 + m
        var svg = SVGWriter(width: Int(figureWidth.rounded(.up)), height: Int(height.rounded(.up)))
        for (line, text) in titleLines.enumerated() {
            svg.text(text, x: figureWidth / 2, y: m + 16 + Double(line) * 20, size: Self.titleSize, anchor: .middle, bold: true)
        }
        // The row axis's name heads the row labels.
        svg.text(rowAxis, x: left - 10, y: top - 8, size: Self.axisSize, anchor: .end)
        for (c, label) in columns.enumerated() {
            svg.text(label, x: left + cell * (Double(c) + 0.5), y: top + gridHeight + 20, size: Self.labelSize, anchor: .middle)
        }
        svg.text(columnAxis, x: left + gridWidth / 2, y: top + gridHeight + 42, size: Self.axisSize, anchor: .middle)
        for (r, label) in rows.enumerated() {
            let y = top + cellHeight * Double(r)
            svg.text(label, x: left - 10, y: y + cellHeight / 2 + 5, size: Self.labelSize, anchor: .end)
            for c in columns.indices {
                let x = left + cell * Double(c)
                guard let value = values[r][c] else {
                    svg.rect(x: x, y: y, width: cell, height: cellHeight, fill: RGB(240, 240, 240), stroke: .white, title: "no value")
                    continue
                }
                let color = onScale(r, c) ? Colormap.viridis.color((value - scale.lowerBound) / span) : RGB(215, 215, 215)
                let number = cellText(value)
                svg.rect(x: x, y: y, width: cell, height: cellHeight, fill: color, stroke: .white, title: "\(rows[r]), \(columns[c]): \(number)")
                svg.text(number, x: x + cell / 2, y: y + cellHeight / 2 + 5, size: Self.cellSize, anchor: .middle, fill: color.contrastingText)
            }
        }
        // The colour bar: 50 steps from the top (maximum) to the bottom (minimum).
        let steps = 50
        for step in 0..<steps {
            let t = 1 - (Double(step) + 0.5) / Double(steps)
            svg.rect(x: barX, y: top + barHeight * Double(step) / Double(steps), width: 16,
                     height: barHeight / Double(steps) + 0.5, fill: Colormap.viridis.color(t))
        }
        for (value, text) in barLabels {
            let y = top + barY(value)
            svg.line(x1: barX + 16, y1: y, x2: barX + 20, y2: y, kind: "tick")
            svg.text(text, x: barX + 22, y: min(max(y + 4, top + 9), top + barHeight), size: Self.barSize)
        }
        for (line, text) in legendLines.enumerated() {
            svg.text(text, x: m, y: below + 42 + 8 + 16 * Double(line + 1) - 4, size: Self.legendSize, fill: RGB(60, 60, 60))
        }
        return svg.rendered()
    }
}
