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
        // Any line ending: "\r\n" (Windows) is one Character, which a split on "\n" never meets.
        var lines = String(decoding: bytes, as: UTF8.self)
            .split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        if let first = lines.first, first.hasPrefix("\u{FEFF}") { lines[0] = String(first.dropFirst()) }
        guard let header = lines.first, !header.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ImportError.badManifest(path: path, detail: "the manifest is empty; its first line must name the columns")
        }
        let columns = header.split(separator: "\t", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        self.columns = columns
        if let duplicate = Self.firstDuplicate(columns) {
            throw ImportError.badManifest(path: path, detail: "column '\(duplicate)' appears twice in the header")
        }
        let missing = required.filter { !columns.contains($0) }
        guard missing.isEmpty else {
            let tabHint = columns.count == 1 && header.contains(",") ? " (is it comma-separated? maskdb reads tab-separated files)" : ""
            throw ImportError.badManifest(
                path: path,
                detail: "missing required column\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", "))\(tabHint); the header has \(columns.joined(separator: ", "))")
        }
        var rows: [Row] = []
        var malformed: [(line: Int, message: String)] = []
        for (index, line) in lines.enumerated().dropFirst() {
            if line.trimmingCharacters(in: .whitespaces).isEmpty || line.hasPrefix("#") { continue }
            let cells = line.split(separator: "\t", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == columns.count else {
                malformed.append((index + 1, "has \(cells.count) cells but the header has \(columns.count) columns"))
                continue
            }
            var named: [String: String] = [:]
            for (column, cell) in zip(columns, cells) where !cell.isEmpty { named[column] = cell }
            rows.append(Row(line: index + 1, cells: named))
        }
        self.rows = rows
        self.malformed = malformed
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
