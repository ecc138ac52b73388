import Analysis
import Formatting

/// A horizontal bar chart as SVG: one bar per item, whiskers for its interval where it has
/// one, its value (and interval) at the bar's end with a note (e.g. "5/25 masks") beside it,
/// round ticks, and legend lines below. Every text is measured (`TextMetrics`), so the
/// figure is as wide as its longest label, value, title or tick needs.
public struct BarChartFigure: Sendable {
    public var title: String
    /// What the bars measure (the x axis).
    public var valueAxis: String
    public var labels: [String]
    /// Each bar's value; nil: no value (drawn as a note, no bar).
    public var values: [Double?]
    public var notes: [String]
    public var decimals: Int
    /// Each bar's interval, drawn as whiskers (none where nil or missing).
    public var intervals: [Interval?]
    /// Lines under the chart: what the whiskers are, what a baseline means.
    public var legend: [String]

    /// A bar chart.
    public init(
        title: String, valueAxis: String, labels: [String], values: [Double?], notes: [String], decimals: Int = 3,
        intervals: [Interval?] = [], legend: [String] = []
    ) {
        self.title = title
        self.valueAxis = valueAxis
        self.labels = labels
        self.values = values
        self.notes = notes
        self.decimals = decimals
        self.intervals = intervals
        self.legend = legend
    }

    static let margin = 12.0, rowHeight = 26.0, plotWidth = 420.0, minimumWidth = 480.0
    static let titleSize = 16.0, labelSize = 13.0, valueSize = 12.0, tickSize = 11.0, axisSize = 13.0, legendSize = 12.0

    /// Bar `index`'s interval, if any.
    func interval(_ index: Int) -> Interval? {
        index < intervals.count ? intervals[index] : nil
    }

    /// The text at the end of bar `index`: value, interval, note.
    func valueText(_ index: Int) -> String {
        let note = index < notes.count && !notes[index].isEmpty ? "  (\(notes[index]))" : ""
        guard let value = values[index] else { return "no value" + note }
        let interval = interval(index).map { " [\(NumberText.fixed($0.lower, decimals: decimals)), \(NumberText.fixed($0.upper, decimals: decimals))]" } ?? ""
        return NumberText.fixed(value, decimals: decimals) + interval + note
    }

    /// The axis: round ticks from 0 (or below, for negative values) to past every value and whisker.
    var ticks: AxisTicks {
        let present = values.compactMap { $0 } + intervals.compactMap { $0 }.flatMap { [$0.lower, $0.upper] }
        let finite = present.filter(\.isFinite)
        return AxisTicks(covering: min(0, finite.min() ?? 0), max(0, finite.max() ?? 1))
    }

    /// The SVG document.
    public func svg() -> String {
        let m = Self.margin
        let labelWidth = m + (labels.map { TextMetrics.width($0, size: Self.labelSize) }.max() ?? 0) + 10
        let ticks = ticks, domain = ticks.range
        func x(_ value: Double) -> Double { labelWidth + Self.plotWidth * (value - domain.lowerBound) / (domain.upperBound - domain.lowerBound) }
        // Where each row's text starts: past its bar and whiskers.
        let textX = labels.indices.map { index -> Double in
            let ends = [values[index], interval(index)?.upper, interval(index)?.lower].compactMap { $0 }.filter(\.isFinite).map(x)
            return (ends.max() ?? x(0)) + 6
        }
        let tickLabels = ticks.values.map { NumberText.fixed($0, decimals: ticks.decimals) }
        var contentRight = labelWidth + Self.plotWidth + TextMetrics.width(tickLabels.last ?? "", size: Self.tickSize) / 2
        for index in labels.indices {
            contentRight = max(contentRight, textX[index] + TextMetrics.width(valueText(index), size: Self.valueSize))
        }
        contentRight = max(contentRight, labelWidth + Self.plotWidth / 2 + TextMetrics.width(valueAxis, size: Self.axisSize) / 2)
        var width = max(contentRight + m, Self.minimumWidth)
        let titleLines = TextMetrics.wrapped(title, size: Self.titleSize, width: width - 2 * m, bold: true)
        width = max(width, (titleLines.map { TextMetrics.width($0, size: Self.titleSize, bold: true) }.max() ?? 0) + 2 * m)
        let legendLines = legend.flatMap { TextMetrics.wrapped($0, size: Self.legendSize, width: width - 2 * m) }

        let top = m + Double(titleLines.count) * 20 + 16
        let axisY = top + Self.rowHeight * Double(labels.count) + 4
        let height = axisY + 19 + 22 + 8 + Double(legendLines.count) * 16 + m
        var svg = SVGWriter(width: Int(width.rounded(.up)), height: Int(height.rounded(.up)))
        for (line, text) in titleLines.enumerated() {
            svg.text(text, x: width / 2, y: m + 16 + Double(line) * 20, size: Self.titleSize, anchor: .middle, bold: true)
        }
        let bar = Colormap.viridis.color(0.35), whisker = RGB(30, 30, 30)
        for (index, label) in labels.enumerated() {
            let y = top + Self.rowHeight * Double(index), middle = y + Self.rowHeight / 2
            svg.text(label, x: labelWidth - 10, y: middle + 5, size: Self.labelSize, anchor: .end)
            if let value = values[index], value.isFinite {
                let (a, b) = (x(min(0, value)), x(max(0, value)))
                svg.rect(x: a, y: y + 3, width: b - a, height: Self.rowHeight - 6, fill: bar, title: "\(label): \(valueText(index))")
            }
            if let interval = interval(index), interval.lower.isFinite, interval.upper.isFinite {
                let (low, high) = (x(interval.lower), x(interval.upper))
                svg.line(x1: low, y1: middle, x2: high, y2: middle, stroke: whisker, width: 1.5, kind: "whisker")
                svg.line(x1: low, y1: middle - 5, x2: low, y2: middle + 5, stroke: whisker, width: 1.5, kind: "whisker-cap")
                svg.line(x1: high, y1: middle - 5, x2: high, y2: middle + 5, stroke: whisker, width: 1.5, kind: "whisker-cap")
            }
            svg.text(valueText(index), x: textX[index], y: middle + 5, size: Self.valueSize)
        }
        svg.line(x1: labelWidth, y1: axisY, x2: labelWidth + Self.plotWidth, y2: axisY)
        for (value, text) in zip(ticks.values, tickLabels) {
            svg.line(x1: x(value), y1: axisY, x2: x(value), y2: axisY + 5, kind: "tick")
            svg.text(text, x: x(value), y: axisY + 19, size: Self.tickSize, anchor: .middle)
        }
        svg.text(valueAxis, x: labelWidth + Self.plotWidth / 2, y: axisY + 41, size: Self.axisSize, anchor: .middle)
        for (line, text) in legendLines.enumerated() {
            svg.text(text, x: m, y: axisY + 41 + 8 + 16 * Double(line + 1) - 4, size: Self.legendSize, fill: RGB(60, 60, 60))
        }
        return svg.rendered()
    }
}
