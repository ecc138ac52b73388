/// Parses an atlas label table: a TSV with `roi_value` and `roi_name` columns
/// (BIDS `_dseg.tsv`, as Clinica ships). Label 0 is the background and is left out.
public enum LabelTable {
    /// The regions named by `text`, in ascending label order; `path` names it in messages.
    public static func parse(_ text: String, path: String) throws(AtlasError) -> [AtlasRegion] {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        while let last = lines.last, last.allSatisfy(\.isWhitespace) { lines.removeLast() }
        guard let headerLine = lines.first else { throw .badLabels(path: path, detail: "the file is empty") }
        let header = headerLine.split(separator: "\t", omittingEmptySubsequences: false)
            .map { $0.trimmingPrefix("\u{FEFF}").trimmingWhitespace() }
        guard let valueColumn = header.firstIndex(of: "roi_value"), let nameColumn = header.firstIndex(of: "roi_name")
        else {
            throw .badLabels(path: path, detail: "the header line is \"\(header.joined(separator: "\\t"))\"")
        }
        var regions: [AtlasRegion] = []
        var seen = Set<Int>()
        for (offset, line) in lines.enumerated().dropFirst() where !line.allSatisfy(\.isWhitespace) {
            let cells = line.split(separator: "\t", omittingEmptySubsequences: false)
            let row = offset + 1
            guard cells.count > max(valueColumn, nameColumn) else {
                throw .badLabels(path: path, detail: "line \(row) has \(cells.count) cells, fewer than the header")
            }
            let valueText = cells[valueColumn].trimmingWhitespace()
            guard let label = Int(valueText) else {
                throw .badLabels(path: path, detail: "line \(row): roi_value \"\(valueText)\" is not a whole number")
            }
            guard seen.insert(label).inserted else {
                throw .badLabels(path: path, detail: "line \(row): label \(label) appears twice")
            }
            if label != 0 { regions.append(AtlasRegion(label: label, name: cells[nameColumn].trimmingWhitespace())) }
        }
        guard !regions.isEmpty else { throw .badLabels(path: path, detail: "it names no region besides the background") }
        return regions.sorted { $0.label < $1.label }
    }
}

extension Substring {
    /// Without leading and trailing Unicode whitespace. (On Substring, not StringProtocol:
    /// the generic version ran unspecialized, five times slower.)
    fileprivate func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
