import Formatting

/// A horizontal bar chart as SVG: one bar per item, its value at the bar's end and a
/// note (e.g. "5/25 masks") beside it.
public struct BarChartFigure: Sendable {
    public var title: String
    /// What the bars measure (the x axis).
    public var valueAxis: String
    public var labels: [String]
    public var values: [Double]
    public var notes: [String]
    public var decimals: Int

    /// A bar chart.
    public init(title: String, valueAxis: String, labels: [String], values: [Double], notes: [String], decimals: Int = 3) {
        self.title = title
        self.valueAxis = valueAxis
        self.labels = labels
        self.values = values
        self.notes = notes
        self.decimals = decimals
    }

    /// The SVG document.
    public func svg() -> String {
        let rowHeight = 26.0, top = 56.0
        let labelWidth = Double(max(labels.map(\.count).max() ?? 1, 4)) * 8 + 24
        let plotWidth = 420.0
        let width = Int(labelWidth + plotWidth + 190), height = Int(top + rowHeight * Double(labels.count) + 56)
        var svg = SVGWriter(width: width, height: height)
        svg.text(title, x: Double(width) / 2, y: 24, size: 16, anchor: .middle, bold: true)
        let maximum = max(values.max() ?? 1, 1e-12)
        let bar = Colormap.viridis.color(0.35)
        for (index, label) in labels.enumerated() {
            let y = top + rowHeight * Double(index)
            let length = plotWidth * values[index] / maximum
            svg.text(label, x: labelWidth - 8, y: y + rowHeight / 2 + 5, size: 13, anchor: .end)
            svg.rect(x: labelWidth, y: y + 3, width: max(length, 0), height: rowHeight - 6, fill: bar,
                     title: "\(label): \(NumberText.fixed(values[index], decimals: decimals)), \(notes[index])")
            svg.text("\(NumberText.fixed(values[index], decimals: decimals))  (\(notes[index]))", x: labelWidth + length + 6,
                     y: y + rowHeight / 2 + 5, size: 12)
        }
        let axisY = top + rowHeight * Double(labels.count) + 4
        svg.line(x1: labelWidth, y1: axisY, x2: labelWidth + plotWidth, y2: axisY)
        for tick in 0...4 {
            let x = labelWidth + plotWidth * Double(tick) / 4
            svg.line(x1: x, y1: axisY, x2: x, y2: axisY + 5)
            svg.text(NumberText.fixed(maximum * Double(tick) / 4, decimals: decimals), x: x, y: axisY + 19, size: 11, anchor: .middle)
        }
        svg.text(valueAxis, x: labelWidth + plotWidth / 2, y: axisY + 40, size: 13, anchor: .middle)
        return svg.rendered()
    }
}
