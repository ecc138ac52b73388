import Store
import Foundation
import NIfTI
import StudyCore

/// A TSV manifest: a header of column names, then one row per record. Lines are
/// numbered as in the file (the header is line 1), which is how rejections name rows.
/// A path pattern makes one too (`ManifestCheck.pattern`), numbered as its TSV text.
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

    /// The column of a mask manifest naming a reference image whose grid (sizes and affine)
    /// the row's file is measured on, instead of its own header's: for maps whose header
    /// lies about their space (ClinicaDL's: an identity affine and a channel axis). Resolved as `path`.
    public static let gridColumn = "grid"

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
    /// Rows refused on their own, (line, path, message): a cell count other than the header's,
    /// a cell holding a NUL byte or invalid UTF-8 (never cut nor repaired), with no path; a
    /// pattern's file whose captures disagree, with its path.
    public var malformed: [(line: Int, path: String, message: String)]
    /// The manifest file's sha256, for the audit log.
    public var sha256: String

    /// The most bytes a record may hold (a line, or the lines a quoted CSV cell spans):
    /// a longer one is refused by its line and length, never kept nor shown.
    public static let maximumRecordBytes = 1 << 20

    /// Reads the manifest at `path` and checks it has every `required` column. The file
    /// is read a chunk at a time; only its rows are kept.
    public init(path: String, required: [String]) throws {
        let content = path == Self.standardInput ? try StandardInput.manifest() : try ManifestContent(path: path)
        let here = FileManager.default.currentDirectoryPath
        if path == Self.standardInput {
            // Its paths are relative to the current folder.
            try self.init(path: path, absolutePath: "(standard input)", folder: here, content: content, required: required)
        } else {
            // Paths are recorded absolute, so the audit trail stays meaningful from any folder.
            let absolutePath = ((path.hasPrefix("/") ? path : here + "/" + path) as NSString).standardizingPath
            try self.init(
                path: path, absolutePath: absolutePath, folder: (absolutePath as NSString).deletingLastPathComponent, content: content,
                required: required)
        }
    }

    /// The manifest `content` holds, named `path` in messages and `absolutePath` in the audit
    /// log, its paths relative to `folder`; checks it has every `required` column.
    init(path: String, absolutePath: String, folder: String, content: ManifestContent, required: [String]) throws {
        self.path = path
        self.absolutePath = absolutePath
        self.folder = folder
        sha256 = content.sha256
        columns = content.columns
        rows = content.rows
        malformed = content.malformed
        if let duplicate = Self.firstDuplicate(columns) {
            throw ImportError.badManifest(path: path, detail: "column '\(Self.shown(duplicate))' appears twice in the header")
        }
        try require(required)
    }

    /// Throws unless the header has every column of `required`, naming a probable misspelling.
    func require(_ required: [String]) throws {
        let missing = required.filter { !columns.contains($0) }
        guard missing.isEmpty else {
            let slips = missing.compactMap { name in
                NameSuggestion.closest(to: name, among: columns.filter { !required.contains($0) }, maxEdits: 1).map { "'\($0)' looks like a misspelling of \(name); " }
            }
            throw ImportError.badManifest(
                path: path,
                detail: "missing required column\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", ")); "
                    + slips.joined() + "the header has \(Self.shown(columns.joined(separator: ", ")))")
        }
    }

    /// Records of comma-separated text (see `RecordParser`), for tests.
    static func commaSeparatedRecords(_ text: String) -> [(line: Int, cells: [String])] {
        var parser = RecordParser(separator: UInt8(ascii: ","), quotes: true)
        var records: [(line: Int, cells: [String])] = []
        let add = { (record: RecordParser.Record) in records.append((record.line, record.cells.map { String(decoding: $0.bytes, as: UTF8.self) })) }
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBufferPointer { buffer in try? parser.feed(buffer, add) }
        if let record = try? parser.finish() { add(record) }
        return records
    }

    /// `text` as a message shows it: at most 80 characters, with its length when cut.
    static func shown(_ text: String) -> String {
        text.count <= 80 ? text : "\(text.prefix(80))… (\(text.utf8.count) bytes)"
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

