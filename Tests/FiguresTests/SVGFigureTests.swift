@testable import Analysis
import StudyCore
import Foundation
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

@testable import Figures

/// SVG figures are well-formed XML and hold their numbers and labels.
struct SVGFigureTests {
    /// Parses `svg` and returns the text content of every element, in order.
    static func texts(_ svg: String) throws -> [String] {
        final class Collector: NSObject, XMLParserDelegate {
            var texts: [String] = []
            var current = ""
            func parser(_ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
                current = ""
            }
            func parser(_ parser: XMLParser, foundCharacters string: String) { current += string }
            func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) {
                if element == "text" { texts.append(current) }
            }
        }
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = Collector()
        parser.delegate = collector
        #expect(parser.parse(), "not well-formed XML: \(String(describing: parser.parserError))")
        return collector.texts
    }

    @Test func heatmapShowsEveryCellTheAxesAndTheRange() throws {
        let figure = HeatmapFigure(
            title: "T <1> & more", rowAxis: "λ1", rows: ["0.1", "0.01"], columnAxis: "λ2", columns: ["0.001"],
            values: [[0.25], [nil]], decimals: 3, range: 0...1)
        let texts = try Self.texts(figure.svg())
        #expect(texts.contains("T <1> & more"))
        #expect(texts.contains("λ1") && texts.contains("λ2"))
        #expect(texts.contains("0.250"))
        #expect(texts.contains("1.000") && texts.contains("0.000"))  // the colour bar's ends
        #expect(texts.contains("0.1") && texts.contains("0.01") && texts.contains("0.001"))
    }

    @Test func similarityFigureUsesTheMatrix() throws {
        let matrix = SimilarityMatrix(
            field: .lambda1, values: [.number(0.01), .number(0.1)], means: [[1, 0.93], [0.93, 1]], pairs: [[0, 4], [4, 0]])
        let texts = try Self.texts(StudyFigures.similarity(matrix).svg())
        #expect(texts.filter { $0 == "0.930" }.count == 2)  // as many decimals as `maskdb similarity`
        #expect(texts.contains("ROI-based similarity across λ1"))
    }

    @Test func barChartLabelsEveryBar() throws {
        let rows = [
            TopRegionRow(group: nil, rank: 1, region: .init(label: nil, name: "Hippocampus"), inTopK: 5, masks: 5, meanDensity: 0.31, meanRank: 1),
            TopRegionRow(group: nil, rank: 2, region: .init(label: 4201, name: "Amygdala_L"), inTopK: 3, masks: 5, meanDensity: 0.2, meanRank: 2.5),
        ]
        let texts = try Self.texts(StudyFigures.topRegions(rows, k: 5).svg())
        #expect(texts.contains("Hippocampus") && texts.contains("Amygdala_L"))
        #expect(texts.contains("0.310  (top 5 in 5/5)"))
    }

    @Test func heatmapScaleIsTheValuesExtentWidenedWhenFlat() throws {
        func figure(_ values: [[Double?]]) -> HeatmapFigure {
            HeatmapFigure(title: "x", rowAxis: "a", rows: values.map { _ in "r" }, columnAxis: "b", columns: ["c"], values: values, decimals: 4)
        }
        #expect(figure([[0.02], [nil], [0.5]]).scale == 0.02...0.5)
        #expect(figure([[0.011]]).scale == (0.011 - 0.011 / 10)...(0.011 + 0.011 / 10))  // a tenth either side
        #expect(figure([[0]]).scale == -0.5...0.5)
        #expect(figure([[nil]]).scale == 0...1)
        let texts = try Self.texts(figure([[0.011]]).svg())
        #expect(texts.contains("0.0121") && texts.contains("0.0099"))  // the colour bar's ends
    }
}
