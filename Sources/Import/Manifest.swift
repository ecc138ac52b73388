import Store
import Foundation
import NIfTI
import StudyCore

/// A TSV manifest: a header of column names, then one row per record. Lines are
/// numbered as in the file (the header is line 1), which is how rejections name rows.
public struct Manifest: Sendable {
    /// One data row.
    public struct Row: Sendable {
        /// The row's line number in the file.
        public var line: Int
        /// Cell text by column name; empty cells are absent.
        public var cells: [String: String]

        /// The cell of `column`, nil when absent or empty.
        public subscript(column: String) -> String? { cells[column] }

        /// The cell of the column that `field` names, nil when absent or empty.
        public subscript(field: StudyField) -> String? { cells[field.name] }
    }

    /// The path that names standard input.
    public static let standardInput = "-"

    /// The column of a mask manifest that names the mask's file.
    public static let pathColumn = "path"

    /// The manifest's path, as given.
    public var path: String
    /// The manifest's absolute path, for the audit log.
    public var absolutePath: String
    /// The folder relative paths in the manifest are resolved against.
    public var folder: String
    /// Column names in file order.
    public var columns: [String]
    /// The data rows.
    public var rows: [Row]
    /// Rows whose cell count does not match the header: (line, message).
    public var malformed: [(line: Int, message: String)]
    /// The manifest file's sha256, for the audit log.
    public var sha256: String

    /// Reads the manifest at `path` and checks it has every `required` column.
    public init(path: String, required: [String]) throws {
        let bytes: [UInt8]
        do {
            bytes = path == Self.standardInput ? StandardInput.bytes : try FileBytes.read(path)
        } catch {
            throw ImportError.badManifest(path: path, detail: "cannot read the manifest: \(Self.reason(error))")
        }
        self.path = path
        let here = FileManager.default.currentDirectoryPath
        if path == Self.standardInput {
            // Its paths are relative to the current folder.
            (absolutePath, folder) = ("(standard input)", here)
        } else {
            // Paths are recorded absolute, so the audit trail stays meaningful from any folder.
            absolutePath = ((path.hasPrefix("/") ? path : here + "/" + path) as NSString).standardizingPath
            folder = (absolutePath as NSString).deletingLastPathComponent
        }
        self.sha256 = SHA256Digest.hex(bytes)
        var text = String(decoding: bytes, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        // Comma-separated by its name, or by a header with commas and no tab; else tab-separated.
        let firstLine = text.prefix { !$0.isNewline }
        let commaSeparated = path.lowercased().hasSuffix(".csv") || (!firstLine.contains("\t") && firstLine.contains(","))
        let records = commaSeparated ? Self.commaSeparatedRecords(text) : Self.tabSeparatedRecords(text)
        guard let header = records.first, header.cells.contains(where: { !$0.isEmpty }) else {
            throw ImportError.badManifest(path: path, detail: "the manifest is empty; its first line must name the columns")
        }
        let columns = header.cells
        self.columns = columns
        if let duplicate = Self.firstDuplicate(columns) {
            throw ImportError.badManifest(path: path, detail: "column '\(duplicate)' appears twice in the header")
        }
        let missing = required.filter { !columns.contains($0) }
        guard missing.isEmpty else {
            let slips = missing.compactMap { name in
                NameSuggestion.closest(to: name, among: columns.filter { !required.contains($0) }, maxEdits: 1).map { "'\($0)' looks like a misspelling of \(name); " }
            }
            throw ImportError.badManifest(
                path: path,
                detail: "missing required column\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", ")); "
                    + slips.joined() + "the header has \(columns.joined(separator: ", "))")
        }
        var rows: [Row] = []
        var malformed: [(line: Int, message: String)] = []
        for record in records.dropFirst() {
            // Blank lines and comments are skipped.
            if record.cells.allSatisfy(\.isEmpty) || record.cells.first?.hasPrefix("#") == true { continue }
            guard record.cells.count == columns.count else {
                malformed.append((record.line, "has \(record.cells.count) cells but the header has \(columns.count) columns"))
                continue
            }
            var named: [String: String] = [:]
            for (column, cell) in zip(columns, record.cells) where !cell.isEmpty { named[column] = cell }
            rows.append(Row(line: record.line, cells: named))
        }
        self.rows = rows
        self.malformed = malformed
    }

    /// Lines split at tabs, cells trimmed, numbered from 1. Any line ending: "\r\n"
    /// (Windows) is one Character, which a split on "\n" never meets.
    static func tabSeparatedRecords(_ text: String) -> [(line: Int, cells: [String])] {
        text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated().map { index, line in
            (index + 1, line.split(separator: "\t", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) })
        }
    }

    /// Records of comma-separated text as spreadsheets and pandas write it: a cell in double
    /// quotes may hold commas, line breaks and doubled quotes (`""` for `"`); unquoted
    /// cells are trimmed. Each record is numbered by the line it starts on.
    static func commaSeparatedRecords(_ text: String) -> [(line: Int, cells: [String])] {
        var records: [(line: Int, cells: [String])] = []
        var cells: [String] = [], cell = "", quoted = false, inQuotes = false
        var line = 1, start = 1
        var characters = text.makeIterator()
        var pending: Character?
        func endCell() {
            cells.append(quoted ? cell : cell.trimmingCharacters(in: .whitespaces))
            (cell, quoted) = ("", false)
        }
        while let character = pending ?? characters.next() {
            pending = nil
            if inQuotes {
                if character == "\"" {
                    // A doubled quote is one quote; any other character after a quote ends the quoted part.
                    let next = characters.next()
                    if next == "\"" { cell.append("\"") } else { inQuotes = false; pending = next }
                } else {
                    if character.isNewline { line += 1 }
                    cell.append(character)
                }
                continue
            }
            switch character {
            case "\"" where cell.allSatisfy(\.isWhitespace):
                (cell, quoted, inQuotes) = ("", true, true)
            case ",":
                endCell()
            case _ where character.isNewline:
                endCell()
                records.append((start, cells))
                cells = []
                line += 1
                start = line
            default:
                if !(quoted && character.isWhitespace) { cell.append(character) }
            }
        }
        if !cell.isEmpty || !cells.isEmpty || quoted {
            endCell()
            records.append((start, cells))
        }
        return records
    }

    /// `path` resolved against the manifest's folder when relative: an absolute path.
    public func resolve(_ path: String) -> String {
        ((path.hasPrefix("/") ? path : folder + "/" + path) as NSString).standardizingPath
    }

    private static func firstDuplicate(_ names: [String]) -> String? {
        var seen = Set<String>()
        return names.first { !seen.insert($0).inserted }
    }

    static func reason(_ error: any Error) -> String {
        if case NIfTIError.unreadable(_, let reason)? = error as? NIfTIError { return reason }
        return "\(error)"
    }
}

/// Standard input, read once for the whole process: a manifest given as `-` is read to
/// check it before the database is opened, then to import it.
enum StandardInput {
    static let bytes: [UInt8] = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
}
