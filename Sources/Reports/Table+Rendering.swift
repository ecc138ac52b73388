import Formatting
import Foundation

extension Table {
    /// The table as text in `format`, ending with a newline.
    public func rendered(as format: OutputFormat) -> String {
        switch format {
        case .csv, .tsv: delimited(format)
        case .json: json()
        case .md: markdown()
        case .table: aligned()
        }
    }

    private func delimited(_ format: OutputFormat) -> String {
        var writer = DelimitedWriter(columns: columns, format: format)
        for row in rows { writer.append(row) }
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    fileprivate static func delimitedLine(_ row: [Cell], separator: String, escape: (String) -> String) -> String {
        row.map { escape(exactText($0)) }.joined(separator: separator)
    }

    private func json() -> String {
        "[" + rows.map(jsonObject).joined(separator: ",") + "]\n"
    }

    fileprivate func jsonObject(_ row: [Cell]) -> String {
        JSONValue.object(zip(columns, row).map { column, cell in (column.name, Self.jsonValue(cell)) }).rendered()
    }

    /// How the human formats lay columns out: which are right-aligned numbers, and widths.
    fileprivate struct Layout {
        var numeric: [Bool]
        var widths: [Int]
    }

    /// The layout of these rows: a column is numeric when all its cells are, as wide as its widest cell.
    fileprivate func layout() -> Layout {
        let cells = humanCells()
        let widths = columns.indices.map { c in ([columns[c].name] + cells.map { $0[c] }).map(\.count).max() ?? 0 }
        return Layout(numeric: numericColumns(), widths: widths)
    }

    private func humanCells() -> [[String]] {
        rows.map { row in zip(columns, row).map { Self.humanText($1, decimals: $0.decimals) } }
    }

    private func markdown() -> String {
        let layout = layout()
        return (markdownHeader(layout) + rows.map(markdownLine)).joined(separator: "\n") + "\n"
    }

    fileprivate func markdownHeader(_ layout: Layout) -> [String] {
        ["| " + columns.map { Self.markdownEscape($0.name) }.joined(separator: " | ") + " |",
         "|" + layout.numeric.map { $0 ? "---:|" : "---|" }.joined()]
    }

    fileprivate func markdownLine(_ row: [Cell]) -> String {
        "| " + zip(columns, row).map { Self.markdownEscape(Self.humanText($1, decimals: $0.decimals)) }.joined(separator: " | ") + " |"
    }

    private static func markdownEscape(_ text: String) -> String {
        // Most cells need nothing: checking the bytes first spares Foundation's search.
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "|") || $0 == UInt8(ascii: "\n") }) else { return text }
        return text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    private func aligned() -> String {
        let layout = layout()
        return ([alignedLine(columns.map(\.name), layout)] + humanCells().map { alignedLine($0, layout) }).joined(separator: "\n") + "\n"
    }

    fileprivate func alignedLine(_ row: [Cell], _ layout: Layout) -> String {
        alignedLine(zip(columns, row).map { Self.humanText($1, decimals: $0.decimals) }, layout)
    }

    private func alignedLine(_ cells: [String], _ layout: Layout) -> String {
        cells.indices.map { c in
            let pad = String(repeating: " ", count: max(0, layout.widths[c] - cells[c].count))
            return layout.numeric[c] ? pad + cells[c] : cells[c] + pad
        }.joined(separator: "  ").trailingSpacesRemoved()
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

    fileprivate static func exactText(_ cell: Cell) -> String {
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

    /// ASCII but a comma, quote or line break: what a CSV field holds without quotes.
    static func csvPlain(_ byte: UInt8) -> Bool {
        byte < 0x80 && byte != UInt8(ascii: ",") && byte != UInt8(ascii: "\"") && !(0x0A...0x0D).contains(byte)
    }

    /// ASCII but a tab or line break: what a TSV field holds as it is.
    static func tsvPlain(_ byte: UInt8) -> Bool {
        byte < 0x80 && byte != UInt8(ascii: "\t") && !(0x0A...0x0D).contains(byte)
    }

    static func csvField(_ text: String) -> String {
        // Plain bytes need no quotes (checked by bytes: most cells); anything else by
        // characters, whose newlines include U+2028 and NEL.
        if text.utf8.allSatisfy(csvPlain) { return text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func tsvField(_ text: String) -> String {
        String(text.map { $0 == "\t" || $0.isNewline ? " " : $0 })
    }
}

/// A table printed as its rows arrive, so that a result of any size takes bounded memory
/// (`maskdb sql`). CSV, TSV and JSON print each row as it comes. The aligned and markdown
/// formats lay their columns out from rows seen: they hold the first `layoutRows` rows,
/// lay the columns out from those and print them, then print each later row in that
/// layout (a later, wider cell only shifts its own line). A result of at most `layoutRows`
/// rows prints exactly as `Table.rendered(as:)` prints it.
public struct TableStream {
    /// The rows the aligned and markdown formats hold to lay their columns out.
    public static let layoutRows = 1000

    private var held: Table
    private let format: OutputFormat
    private let write: (String) -> Void
    private var layout: Table.Layout?
    private var count = 0

    /// Starts a table of `columns` in `format`; `write` takes each piece of text as it is ready.
    public init(columns: [Table.Column], format: OutputFormat, write: @escaping (String) -> Void) {
        self.held = Table(columns: columns)
        self.format = format
        self.write = write
        switch format {
        case .csv: write(Table.delimitedLine(columns.map { .text($0.name) }, separator: ",", escape: Table.csvField) + "\n")
        case .tsv: write(Table.delimitedLine(columns.map { .text($0.name) }, separator: "\t", escape: Table.tsvField) + "\n")
        case .json: write("[")
        case .table, .md: break
        }
    }

    /// Prints a row (one cell per column), or holds it while the layout is not decided.
    public mutating func append(_ row: [Table.Cell]) {
        precondition(row.count == held.columns.count, "one cell per column")
        defer { count += 1 }
        switch format {
        case .csv: write(Table.delimitedLine(row, separator: ",", escape: Table.csvField) + "\n")
        case .tsv: write(Table.delimitedLine(row, separator: "\t", escape: Table.tsvField) + "\n")
        case .json: write((count > 0 ? "," : "") + held.jsonObject(row))
        case .table, .md:
            if let layout {
                write(line(row, layout) + "\n")
            } else {
                held.append(row)
                if held.rows.count == Self.layoutRows { printHeld() }
            }
        }
    }

    /// Prints what is still held and the table's end.
    public mutating func finish() {
        switch format {
        case .json: write("]\n")
        case .table, .md: if layout == nil { printHeld() }
        case .csv, .tsv: break
        }
    }

    private mutating func printHeld() {
        let layout = held.layout()
        self.layout = layout
        let header = format == .md ? held.markdownHeader(layout) : [held.alignedLine(held.columns.map { .text($0.name) }, layout)]
        write((header + held.rows.map { line($0, layout) }).joined(separator: "\n") + "\n")
        held.rows = []
    }

    private func line(_ row: [Table.Cell], _ layout: Table.Layout) -> String {
        format == .md ? held.markdownLine(row) : held.alignedLine(row, layout)
    }
}

extension String {
    fileprivate func trailingSpacesRemoved() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}

/// Rows rendered as CSV or TSV as they come, into UTF-8 bytes: a report's provenance is
/// 50,000 rows of two dozen cells, written without a table of them (appending to a String,
/// or joining an array of strings per row, costs several times more).
public struct DelimitedWriter {
    public private(set) var bytes: [UInt8] = []
    private let separator: UInt8
    private let escape: (String) -> String
    /// Whether a byte stands for itself in a field (an ASCII byte `escape` leaves as it is):
    /// a field of such bytes alone is copied without `escape` (nearly every cell).
    private let plain: (UInt8) -> Bool
    /// A study's numbers repeat (folds, runs, λ): each is formatted once.
    private var numbers: [UInt64: [UInt8]] = [:]

    /// A writer of `format` (CSV or TSV), its header line written.
    public init(columns: [Table.Column], format: OutputFormat) {
        precondition(format == .csv || format == .tsv, "a delimited format")
        if format == .csv {
            (separator, escape, plain) = (UInt8(ascii: ","), Table.csvField, Table.csvPlain)
        } else {
            (separator, escape, plain) = (UInt8(ascii: "\t"), Table.tsvField, Table.tsvPlain)
        }
        append(columns.map { .text($0.name) })
    }

    /// Writes a line of `cells`.
    public mutating func append(_ cells: [Table.Cell]) {
        for index in cells.indices {
            if index > 0 { bytes.append(separator) }
            switch cells[index] {
            case .number(let value):
                if let formatted = numbers[value.bitPattern] {
                    bytes.append(contentsOf: formatted)
                } else {
                    let formatted = Array(escape(NumberText.exact(value)).utf8)
                    numbers[value.bitPattern] = formatted
                    bytes.append(contentsOf: formatted)
                }
            case .text(let text): append(field: text)
            case .integer(let value): append(field: String(value))
            case .empty: break
            }
        }
        bytes.append(UInt8(ascii: "\n"))
    }

    /// A field as it is when all its bytes are plain, else as `escape` writes it.
    private mutating func append(field: String) {
        var text = field
        let copied = text.withUTF8 { utf8 in
            guard utf8.allSatisfy(plain) else { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if !copied {
            var escaped = escape(field)
            escaped.withUTF8 { bytes.append(contentsOf: $0) }
        }
    }
}
