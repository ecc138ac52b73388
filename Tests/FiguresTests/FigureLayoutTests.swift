@testable import Analysis
import Foundation
import StudyCore
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

@testable import Figures

/// The figures read well: every text inside the picture, ticks at round values, whiskers
/// where the intervals are, a similarity scale that tells 0.81 from 0.99, and the montage
/// saying what it left out.
struct FigureLayoutTests {
    /// An SVG element: its name, attributes and text.
    struct Element {
        var name: String
        var attributes: [String: String]
        var text = ""

        func number(_ key: String) -> Double { Double(attributes[key] ?? "") ?? .nan }
    }

    /// Every element of `svg`, in order (a text's content gathered at its end).
    static func elements(_ svg: String) throws -> (width: Double, height: Double, elements: [Element]) {
        final class Collector: NSObject, XMLParserDelegate {
            var elements: [Element] = []
            var open: [Int] = []
            func parser(_ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
                open.append(elements.count)
                elements.append(Element(name: element, attributes: attributes))
            }
            func parser(_ parser: XMLParser, foundCharacters string: String) {
                for index in open { elements[index].text += string }
            }
            func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) { open.removeLast() }
        }
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = Collector()
        parser.delegate = collector
        #expect(parser.parse(), "not well-formed XML")
        let root = try #require(collector.elements.first { $0.name == "svg" })
        return (root.number("width"), root.number("height"), collector.elements)
    }

    /// The box a text element covers: its anchor, size and weight measured with the font's
    /// widths, rotated when it is.
    static func box(_ text: Element) -> (left: Double, right: Double, top: Double, bottom: Double) {
        let size = text.number("font-size"), x = text.number("x"), y = text.number("y")
        let width = TextMetrics.width(text.text, size: size, bold: text.attributes["font-weight"] == "bold")
        let start: Double
        switch text.attributes["text-anchor"] {
        case "middle": start = -width / 2
        case "end": start = -width
        default: start = 0
        }
        let (top, bottom) = (-TextMetrics.ascent * size, TextMetrics.descent * size)
        if let transform = text.attributes["transform"], transform.hasPrefix("rotate(-90") {
            return (x + top, x + bottom, y - start - width, y - start)
        }
        return (x + start, x + start + width, y + top, y + bottom)
    }

    /// Every text of `svg` lies within its width and height, and no two overlap.
    static func expectTextsInside(_ svg: String, _ name: String) throws {
        let (width, height, elements) = try Self.elements(svg)
        let texts = elements.filter { $0.name == "text" }
        #expect(!texts.isEmpty)
        for text in texts {
            let box = Self.box(text)
            #expect(box.left >= 0 && box.right <= width && box.top >= 0 && box.bottom <= height,
                    "\(name): '\(text.text)' covers \(box) in \(width) x \(height)")
        }
        for (i, a) in texts.enumerated() {
            for b in texts[(i + 1)...] {
                let (p, q) = (Self.box(a), Self.box(b))
                let overlap = min(p.right, q.right) - max(p.left, q.left) > 1 && min(p.bottom, q.bottom) - max(p.top, q.top) > 1
                #expect(!overlap, "\(name): '\(a.text)' \(p) overlaps '\(b.text)' \(q)")
            }
        }
    }

    static let longTitle = "Grid search: mean perturbation per mask, over every λ1 and λ2 of the study's twenty-five models and all their folds"

    static func row(_ name: String, _ density: Double, _ interval: Interval?) -> TopRegionRow {
        TopRegionRow(group: nil, rank: 1, region: .init(label: 1, name: name), inTopK: 5, masks: 25, meanDensity: density, meanRank: 1,
                     meanDensityInterval: interval)
    }

    static var robustness: RobustnessTable {
        var table = RobustnessTable(
            probInterRuns: Mean(), probInterFolds: Mean(), roiInterRuns: Mean(sum: 0.91 * 40, count: 40), roiInterFolds: Mean(sum: 0.84 * 40, count: 40))
        table.roiInterRunsInterval = Interval(lower: 0.87, upper: 0.95)
        table.roiInterFoldsInterval = Interval(lower: 0.75, upper: 0.9)
        table.roiDifferenceInterval = Interval(lower: 0.01, upper: 0.12)
        table.roiDifferenceP = 0.03
        table.roiRandomPairs = Mean(sum: 0.7 * 300, count: 300)
        return table
    }

    @Test func noTextIsClipped() throws {
        // The grid with two columns, and with a long title.
        let grid = HeatmapFigure(title: "Grid search: mean perturbation per mask", rowAxis: "λ1", rows: ["0.1", "0.01"], columnAxis: "λ2",
                                 columns: ["0.001", "0.01"], values: [[0.0123, 0.0456], [0.0789, nil]], decimals: 4)
        try Self.expectTextsInside(grid.svg(), "grid")
        // The demo's two-column grid: its colour bar's ends close to round ticks.
        try Self.expectTextsInside(HeatmapFigure(title: "Grid search: mean density per mask", rowAxis: "λ1", rows: ["0.0001", "0.001", "0.01", "0.1"],
                                                 columnAxis: "λ2", columns: ["0.001", "0.01"],
                                                 values: [[0.0181, 0.0322], [0.0147, 0.0263], [0.0111, 0.0197], [0.0057, 0.0104]], decimals: 4).svg(), "demo grid")
        var long = grid
        long.title = Self.longTitle
        long.rowAxis = "params.learning_rate"
        long.columns = ["a value far longer than a cell", "b"]
        try Self.expectTextsInside(long.svg(), "long grid")
        // One cell.
        try Self.expectTextsInside(HeatmapFigure(title: "T", rowAxis: "annotation.site_name", rows: ["x"], columnAxis: "c", columns: ["y"],
                                                 values: [[0.5]]).svg(), "one cell")
        // Similarity.
        let matrix = SimilarityMatrix(field: .lambda1, values: [.number(0.0001), .number(0.1)], means: [[1, 0.81], [0.81, 1]], pairs: [[0, 4], [4, 0]])
        try Self.expectTextsInside(StudyFigures.similarity(matrix).svg(), "similarity")
        // Long region names, long notes, wide intervals.
        let rows = [
            Self.row("Frontal_Inf_Orb_2_L_with_a_very_long_name_indeed", 0.31, Interval(lower: 0.2, upper: 0.48)),
            Self.row("Amygdala_L", 0.2, nil), Self.row("X", 0.0004, Interval(lower: 0, upper: 0.001)),
        ]
        try Self.expectTextsInside(StudyFigures.topRegions(rows, k: 5, intervals: String(repeating: "a long description ", count: 12)).svg(), "top regions")
        var titled = StudyFigures.topRegions(rows, k: 5)
        titled.title = Self.longTitle + " " + Self.longTitle
        try Self.expectTextsInside(titled.svg(), "long title")
        try Self.expectTextsInside(StudyFigures.robustness(Self.robustness).svg(), "robustness")
        try Self.expectTextsInside(StudyFigures.robustness(RobustnessTable(probInterRuns: Mean(), probInterFolds: Mean(), roiInterRuns: Mean(), roiInterFolds: Mean())).svg(), "empty robustness")
    }

    @Test(arguments: [(0.0, 1.0), (0.0, 0.31), (0.81, 0.99), (0.0035, 0.0322), (-0.2, 0.7), (0, 37), (0, 0.00047), (5, 5)])
    func ticksAreRoundValues(low: Double, high: Double) {
        let ticks = AxisTicks(covering: low, high)
        #expect(ticks.values.count >= 2 && ticks.values.count <= 6 + 1)
        #expect(ticks.values.first! <= low && ticks.values.last! >= high)
        let step = ticks.values[1] - ticks.values[0]
        let power = pow(10, floor(log10(step)))
        #expect([1.0, 2, 5].contains { abs(step / power - $0) < 1e-6 }, "step \(step)")
        for (index, value) in ticks.values.enumerated() {
            // A multiple of the step, printed exactly with the decimals given.
            #expect(abs(value / step - (value / step).rounded()) < 1e-6)
            #expect(abs(value - ticks.values[0] - Double(index) * step) < step * 1e-6)
            let printed = String(format: "%.\(ticks.decimals)f", value)
            #expect(abs(Double(printed)! - value) < 1e-12, "\(value) prints as \(printed)")
        }
        // No more decimals than the ticks need.
        #expect(ticks.decimals == 0 || ticks.values.contains { String(format: "%.\(ticks.decimals)f", $0).last != "0" })
    }

    /// The x of `value` on a chart's axis, from its tick marks and their labels.
    static func axis(_ elements: [Element]) throws -> (Double) -> Double {
        let ticks = elements.filter { $0.attributes["class"] == "tick" }
        let labels = ticks.map { tick in elements.first { $0.name == "text" && abs($0.number("x") - tick.number("x1")) < 0.01 }!.text }
        let (x0, x1) = (ticks.first!.number("x1"), ticks.last!.number("x1"))
        let (v0, v1) = (try #require(Double(labels.first!)), try #require(Double(labels.last!)))
        return { x0 + (x1 - x0) * ($0 - v0) / (v1 - v0) }
    }

    @Test func whiskersAreTheIntervals() throws {
        let (_, _, elements) = try Self.elements(StudyFigures.robustness(Self.robustness).svg())
        let x = try Self.axis(elements)
        let whiskers = elements.filter { $0.attributes["class"] == "whisker" }
        #expect(whiskers.count == 2)  // the random pairs have no interval
        for (whisker, interval) in zip(whiskers, [Interval(lower: 0.87, upper: 0.95), Interval(lower: 0.75, upper: 0.9)]) {
            #expect(abs(whisker.number("x1") - x(interval.lower)) < 0.011)
            #expect(abs(whisker.number("x2") - x(interval.upper)) < 0.011)
        }
        // The bars end at the means.
        let bars = elements.filter { $0.name == "rect" && $0.text.contains("pairs") }
        for (bar, mean) in zip(bars, [0.91, 0.84, 0.7]) {
            #expect(abs(bar.number("x") - x(0)) < 0.011 && abs(bar.number("x") + bar.number("width") - x(mean)) < 0.011)
        }
        let texts = elements.filter { $0.name == "text" }.map(\.text)
        #expect(texts.contains("0.910 [0.870, 0.950]  (40 pairs)") && texts.contains("0.700  (300 pairs)"))
        #expect(texts.contains { $0.hasPrefix("Whiskers: 95% intervals: mean ± t sd") })
        #expect(texts.contains { $0.contains("0.070 [0.010, 0.120], p = 0.0300") })
        // The tick labels are round.
        let ticks = elements.filter { $0.attributes["class"] == "tick" }.map { tick in
            elements.first { $0.name == "text" && abs($0.number("x") - tick.number("x1")) < 0.01 }!.text
        }
        #expect(ticks == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])

        // Top regions: whiskers where a row has an interval.
        let rows = [Self.row("A", 0.3, Interval(lower: 0.21, upper: 0.43)), Self.row("B", 0.1, nil)]
        let top = try Self.elements(StudyFigures.topRegions(rows, k: 5).svg()).elements
        let topX = try Self.axis(top)
        let topWhiskers = top.filter { $0.attributes["class"] == "whisker" }
        #expect(topWhiskers.count == 1)
        #expect(abs(topWhiskers[0].number("x1") - topX(0.21)) < 0.011 && abs(topWhiskers[0].number("x2") - topX(0.43)) < 0.011)
    }

    @Test func similarityScaleSeparatesCloseValuesAndSaysSo() throws {
        let matrix = SimilarityMatrix(
            field: .lambda1, values: [.number(0.001), .number(0.01), .number(0.1)],
            means: [[1, 0.99, 0.81], [0.99, 1, 0.9], [0.81, 0.9, 1]], pairs: [[0, 4, 4], [4, 0, 4], [4, 4, 0]])
        let (_, _, elements) = try Self.elements(StudyFigures.similarity(matrix).svg())
        func fill(_ value: String) -> String? { elements.first { $0.name == "rect" && $0.text.hasSuffix(": \(value)") }?.attributes["fill"] }
        // The ends of viridis: 0.81 darkest, 0.99 brightest.
        #expect(fill("0.810") == Colormap.viridis.color(0).hex)
        #expect(fill("0.990") == Colormap.viridis.color(1).hex)
        #expect(fill("0.900") == Colormap.viridis.color((0.9 - 0.81) / (0.99 - 0.81)).hex)
        let texts = elements.filter { $0.name == "text" }.map(\.text)
        #expect(texts.joined(separator: " ").contains("Colour scale: 0.810 (dark) to 0.990 (bright), the range of the off-diagonal cells"))
        #expect(texts.filter { $0 == "1.000" }.count == 3)  // the diagonal, off the scale
    }

    @Test func montagesKeepTheirTextsInsideAndSayWhatTheyLeftOut() {
        let shape = [12, 10, 9]
        let panel = MontagePanel(
            label: "fold 0", perturbation: (0..<1080).map { Float($0 % 7) / 7 }, shape: shape, regions: [Int32](repeating: 1, count: 1080), flipX: false)
        func inside(_ layout: (image: RasterImage, texts: [PlacedText]), _ name: String) {
            for text in layout.texts {
                #expect(text.x >= 0 && text.y >= 0 && text.x + text.width <= layout.image.width && text.y + text.height <= layout.image.height,
                        "\(name): '\(text.text)' at (\(text.x), \(text.y)) \(text.width) x \(text.height) in \(layout.image.width) x \(layout.image.height)")
            }
            // No two overlap.
            for (i, a) in layout.texts.enumerated() {
                for b in layout.texts[(i + 1)...] {
                    let overlap = min(a.x + a.width, b.x + b.width) > max(a.x, b.x) && min(a.y + a.height, b.y + b.height) > max(a.y, b.y)
                    #expect(!overlap, "\(name): '\(a.text)' overlaps '\(b.text)'")
                }
            }
        }
        // Two folds, so a narrow picture for its footer.
        var second = panel
        second.label = "fold 1"
        let note = "2 of 9 masks shown, 7 left out: per fold the lowest-id mask of run 0, per run that of fold 0, at most 12 a row."
        let montage = MaskMontage.layout(title: "Masks across folds and runs", rows: [("Folds (run 0)", [panel, second])], planes: SlicePlane.allCases, notes: [note])
        inside(montage, "two folds")
        // The note is drawn, wrapped to the picture's width: its words in order.
        let drawn = montage.texts.map(\.text).joined(separator: " ")
        #expect(drawn.contains(note))
        // A signed panel and a mask: both colour bars.
        let map = MontagePanel.signed(label: "map", values: panel.perturbation.map { $0 - 0.5 }, shape: shape, regions: panel.regions, flipX: false)
        inside(MaskMontage.layout(title: "T", rows: [("maps", [map, panel])], planes: [.axial], notes: []), "both bars")
        // One mask, one plane, a long label: the colour bar's caption and the label fit.
        var labelled = panel
        labelled.label = "mask 12: fold 0, run 1, λ1 0.01, λ2 0.001, a long label"
        inside(MaskMontage.layout(labelled, planes: [.axial]), "one mask")
        inside(MaskMontage.layout(map, planes: [.sagittal]), "one map")
    }
}
