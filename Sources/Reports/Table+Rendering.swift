import Formatting
import Foundation

extension Table {
    /// The table as text in `format`, ending with a newline.
    public func rendered(as format: OutputFormat) -> String {
        switch format {
        case .csv: delimited(separator: ",", escape: Self.csvField)
        case .tsv: delimited(separator: "\t", escape: Self.tsvField)
        case .json: json()
        case .md: markdown()
        case .table: aligned()
        }
    }

    private func delimited(separator: String, escape: (String) -> String) -> String {
        var lines = [columns.map { escape($0.name) }.joined(separator: separator)]
        for row in rows {
            lines.append(row.map { escape(Self.exactText($0)) }.joined(separator: separator))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func json() -> String {
        let objects = rows.map { row in
            JSONValue.object(zip(columns, row).map { column, cell in (column.name, Self.jsonValue(cell)) })
        }
        return JSONValue.array(objects).rendered() + "\n"
    }

    private func markdown() -> String {
        let numeric = numericColumns()
        let escape = { (text: String) in text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
        var lines = ["| " + columns.map { escape($0.name) }.joined(separator: " | ") + " |"]
        lines.append("|" + numeric.map { $0 ? "---:|" : "---|" }.joined())
        for row in rows {
            let cells = zip(columns, row).map { escape(Self.humanText($1, decimals: $0.decimals)) }
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func aligned() -> String {
        let numeric = numericColumns()
        let header = columns.map(\.name)
        let body = rows.map { row in zip(columns, row).map { Self.humanText($1, decimals: $0.decimals) } }
        let widths = columns.indices.map { c in ([header[c]] + body.map { $0[c] }).map(\.count).max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.indices.map { c in
                let pad = String(repeating: " ", count: widths[c] - cells[c].count)
                return numeric[c] ? pad + cells[c] : cells[c] + pad
            }.joined(separator: "  ").trailingSpacesRemoved()
        }
        return ([line(header)] + body.map(line)).joined(separator: "\n") + "\n"
    }

    /// Columns whose cells are all numbers (or empty), right-aligned for people.
    private func numericColumns() -> [Bool] {
        columns.indices.map { c in
            rows.allSatisfy { row in
                switch row[c] {
                case .integer, .number, .empty: true
                case .text: false
                }
            }
        }
    }

    private static func exactText(_ cell: Cell) -> String {
        switch cell {
        case .text(let text): text
        case .integer(let value): String(value)
        case .number(let value): NumberText.exact(value)
        case .empty: ""
        }
    }

    private static func humanText(_ cell: Cell, decimals: Int?) -> String {
        switch cell {
        case .number(let value): decimals.map { NumberText.fixed(value, decimals: $0) } ?? NumberText.exact(value)
        case .empty: "-"
        default: exactText(cell)
        }
    }

    private static func jsonValue(_ cell: Cell) -> JSONValue {
        switch cell {
        case .text(let text): .string(text)
        case .integer(let value): .integer(value)
        case .number(let value): .number(value)
        case .empty: .null
        }
    }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func tsvField(_ text: String) -> String {
        String(text.map { $0 == "\t" || $0.isNewline ? " " : $0 })
    }
}

extension String {
    fileprivate func trailingSpacesRemoved() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
