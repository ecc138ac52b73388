import Foundation
import Glibc
import NIfTI
import Store
import Synchronization

/// A manifest's header and rows, read from a file descriptor a chunk at a time: the file
/// is hashed as it goes and never held whole, and no record is kept beyond
/// `Manifest.maximumRecordBytes`.
struct ManifestContent: Sendable {
    var sha256 = ""
    var columns: [String] = []
    var rows: [Manifest.Row] = []
    /// Rows refused on their own (cell count, NUL bytes, invalid UTF-8): (line, path, message).
    var malformed: [(line: Int, path: String, message: String)] = []

    /// Rows made by a row source other than a file (a path pattern).
    init(columns: [String], rows: [Manifest.Row], malformed: [(line: Int, path: String, message: String)], sha256: String) {
        (self.columns, self.rows, self.malformed, self.sha256) = (columns, rows, malformed, sha256)
    }

    /// The manifest file at `path`.
    init(path: String) throws {
        let fd: Int32
        do {
            fd = try FileBytes.openRegularFile(path)
        } catch {
            throw ImportError.badManifest(path: path, detail: "cannot read the manifest: \(Manifest.reason(error))")
        }
        defer { close(fd) }
        try self.init(reading: fd, path: path)
    }

    /// The manifest `fd` reads; `path` names it in messages and says whether it is CSV.
    init(reading fd: Int32, path: String) throws {
        var input = ChunkedInput(fd: fd, path: path)
        do {
            try input.skipByteOrderMark()
            // Comma-separated by its name, or by a header with commas and no tab; else tab-separated.
            let firstLine = try input.firstLine(limit: Manifest.maximumRecordBytes + 1)
            let commaSeparated = path.lowercased().hasSuffix(".csv")
                || (!firstLine.contains(RecordParser.tab) && firstLine.contains(RecordParser.comma))
            var parser = RecordParser(separator: commaSeparated ? RecordParser.comma : RecordParser.tab, quotes: commaSeparated)
            var header: [String]?
            func take(_ record: RecordParser.Record) throws {
                if let header { add(record, columns: header) } else { header = try Self.header(record, path: path) }
            }
            try input.forEachChunk { chunk in try parser.feed(chunk, take) }
            if let record = try parser.finish() { try take(record) }
            guard let header, header.contains(where: { !$0.isEmpty }) else {
                throw ImportError.badManifest(path: path, detail: "the manifest is empty; its first line must name the columns")
            }
            columns = header
        } catch let error as NIfTIError {
            throw ImportError.badManifest(path: path, detail: "cannot read the manifest: \(Manifest.reason(error))")
        } catch let overlong as RecordParser.Overlong {
            throw ImportError.badManifest(
                path: path,
                detail: "line \(overlong.line) holds \(overlong.bytes) bytes, more than a manifest record may (\(Manifest.maximumRecordBytes)); is this a manifest?")
        }
        sha256 = input.digest.hex()
    }

    /// The header's column names: a cell that is not text refuses the manifest.
    private static func header(_ record: RecordParser.Record, path: String) throws -> [String] {
        try record.cells.enumerated().map { index, cell in
            switch cell.text {
            case .success(let name): return name
            case .failure(let problem):
                throw ImportError.badManifest(path: path, detail: "line \(record.line), column \(index + 1) of the header \(problem); a manifest is UTF-8 text")
            }
        }
    }

    private mutating func add(_ record: RecordParser.Record, columns: [String]) {
        let cells = record.cells.map(\.text)
        // Blank lines and comments are skipped.
        if cells.allSatisfy({ (try? $0.get())?.isEmpty == true }) || record.cells.first?.bytes.first == UInt8(ascii: "#") { return }
        guard cells.count == columns.count else {
            malformed.append((record.line, "", "has \(cells.count) cells but the header has \(columns.count) columns"))
            return
        }
        var named: [String: String] = [:]
        for (column, cell) in zip(columns, cells) {
            switch cell {
            case .success(let text): if !text.isEmpty { named[column] = text }
            case .failure(let problem):
                // Never cut at the NUL nor repaired: the row is refused, the others go on.
                malformed.append((record.line, "", "column '\(Manifest.shown(column))' \(problem); a manifest cell is UTF-8 text"))
                return
            }
        }
        rows.append(Manifest.Row(line: record.line, cells: named))
    }
}

/// Splits a manifest's bytes into records, one byte at a time. Lines end at "\n", "\r\n"
/// or "\r". With `quotes` (CSV, as spreadsheets and pandas write it), a cell in double
/// quotes may hold separators, line breaks and doubled quotes (`""` for `"`); unquoted
/// cells are trimmed. Each record is numbered by the line it starts on.
struct RecordParser {
    static let tab = UInt8(ascii: "\t"), comma = UInt8(ascii: ","), quote = UInt8(ascii: "\"")
    static let lineFeed = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r"), space = UInt8(ascii: " ")

    /// A cell's bytes, and whether it was quoted (kept as written) or not (trimmed).
    struct Cell {
        var bytes: [UInt8] = []
        var quoted = false

        /// The cell as text, or what keeps it from being text.
        var text: Result<String, CellProblem> {
            if let at = bytes.firstIndex(of: 0) { return .failure(CellProblem("holds a NUL byte (byte \(at + 1))")) }
            guard var text = String(validating: bytes, as: UTF8.self) else { return .failure(CellProblem("is not valid UTF-8")) }
            // The parser trimmed ASCII spaces and tabs; other Unicode spaces are rare.
            if !quoted, let first = text.unicodeScalars.first, let last = text.unicodeScalars.last, !first.isASCII || !last.isASCII {
                text = text.trimmingCharacters(in: .whitespaces)
            }
            return .success(text)
        }
    }

    struct CellProblem: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    struct Record {
        var line: Int
        var cells: [Cell]
    }

    /// A record longer than `Manifest.maximumRecordBytes`: its first line and its length.
    struct Overlong: Error {
        var line: Int
        var bytes: Int
    }

    let separator: UInt8
    let quotes: Bool
    private var cells: [Cell] = []
    private var cell = Cell()
    private var inQuotes = false
    /// A quote met inside quotes: a doubled quote if another follows, else the end of the quoted part.
    private var quoteInQuotes = false
    /// The last byte was "\r": a "\n" right after it ends no other line.
    private var afterCarriageReturn = false
    private var line = 1, start = 1
    private var recordBytes = 0

    init(separator: UInt8, quotes: Bool) {
        self.separator = separator
        self.quotes = quotes
    }

    /// Takes the next bytes, handing `emit` each record they end. Runs of bytes that mean
    /// nothing to the parser (most of a manifest) are taken at once, the others one by one.
    mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>, _ emit: (Record) throws -> Void) throws {
        var i = 0
        while i < bytes.count {
            var j = i
            // Not between a quoted part and the next separator, where spaces are dropped.
            if !afterCarriageReturn && !quoteInQuotes && (inQuotes || !cell.quoted) {
                if inQuotes {
                    while j < bytes.count, bytes[j] != Self.quote, bytes[j] != Self.lineFeed, bytes[j] != Self.carriageReturn { j += 1 }
                } else {
                    while j < bytes.count, bytes[j] != separator, bytes[j] != Self.lineFeed, bytes[j] != Self.carriageReturn,
                        !(quotes && bytes[j] == Self.quote) { j += 1 }
                }
                // Past the limit nothing is kept (the record is refused when it ends).
                recordBytes += j - i
                if recordBytes <= Manifest.maximumRecordBytes { cell.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[i..<j])) }
            }
            guard j < bytes.count else { return }
            if let record = try feed(bytes[j]) { try emit(record) }
            i = j + 1
        }
    }

    /// Takes the next byte: the record it ends, if any.
    mutating func feed(_ byte: UInt8) throws(Overlong) -> Record? {
        if afterCarriageReturn {
            afterCarriageReturn = false
            if byte == Self.lineFeed {
                if inQuotes { cell.bytes.append(byte) }
                return nil
            }
        }
        recordBytes += 1
        if inQuotes {
            if quoteInQuotes {
                quoteInQuotes = false
                if byte == Self.quote {
                    append(byte)
                    return nil
                }
                inQuotes = false  // and the byte is read as outside quotes
            } else if byte == Self.quote {
                quoteInQuotes = true
                return nil
            } else {
                if byte == Self.lineFeed || byte == Self.carriageReturn {
                    line += 1
                    afterCarriageReturn = byte == Self.carriageReturn
                }
                append(byte)
                return nil
            }
        }
        switch byte {
        case Self.quote where quotes && cell.bytes.allSatisfy(Self.isSpace):
            cell = Cell(quoted: true)
            inQuotes = true
        case separator:
            endCell()
        case Self.lineFeed, Self.carriageReturn:
            afterCarriageReturn = byte == Self.carriageReturn
            recordBytes -= 1  // the line break is not the record's
            endCell()
            return try endRecord()
        default:
            if !(cell.quoted && Self.isSpace(byte)) { append(byte) }
        }
        return nil
    }

    /// The last record, when the input does not end with a line break.
    mutating func finish() throws(Overlong) -> Record? {
        guard !cell.bytes.isEmpty || !cells.isEmpty || cell.quoted else { return nil }
        endCell()
        return try endRecord()
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == space || byte == tab }

    /// Bytes past the limit are not kept: the record is refused when it ends.
    private mutating func append(_ byte: UInt8) {
        if recordBytes <= Manifest.maximumRecordBytes { cell.bytes.append(byte) }
    }

    private mutating func endCell() {
        if !cell.quoted {
            // Unquoted cells are trimmed of spaces and tabs (TSV cells too).
            let bytes = cell.bytes
            if let first = bytes.firstIndex(where: { !Self.isSpace($0) }), let last = bytes.lastIndex(where: { !Self.isSpace($0) }) {
                if first > 0 || last < bytes.count - 1 { cell.bytes = Array(bytes[first...last]) }
            } else {
                cell.bytes = []
            }
        }
        if recordBytes <= Manifest.maximumRecordBytes { cells.append(cell) }
        cell = Cell()
    }

    private mutating func endRecord() throws(Overlong) -> Record {
        defer {
            cells = []
            line += 1
            start = line
            recordBytes = 0
        }
        guard recordBytes <= Manifest.maximumRecordBytes else { throw Overlong(line: start, bytes: recordBytes) }
        return Record(line: start, cells: cells)
    }
}

/// A file descriptor's bytes, read 64 KiB at a time and hashed as they are read.
struct ChunkedInput {
    let fd: Int32
    let path: String
    private var buffer: [UInt8] = []
    private var position = 0
    private(set) var digest = SHA256Digest.Incremental()
    private static let chunk = 1 << 16

    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    /// Hands `body` the bytes not yet taken, a chunk at a time, to the end of the input.
    mutating func forEachChunk(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        while true {
            if position == buffer.count {
                guard try fill() else { return }
            }
            try buffer[position...].withUnsafeBufferPointer { try body($0) }
            position = buffer.count
        }
    }

    /// Skips a UTF-8 byte order mark at the start.
    mutating func skipByteOrderMark() throws(NIfTIError) {
        while buffer.count < 3, try fill() {}
        if buffer.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
    }

    /// The bytes before the first line break, at most `limit` of them (read ahead, not consumed).
    mutating func firstLine(limit: Int) throws(NIfTIError) -> ArraySlice<UInt8> {
        func lineEnd() -> Int? { buffer[position...].firstIndex { $0 == RecordParser.lineFeed || $0 == RecordParser.carriageReturn } }
        while lineEnd() == nil, buffer.count - position < limit, try fill() {}
        return buffer[position..<min(lineEnd() ?? buffer.count, position + limit)]
    }

    /// Reads one more chunk after what is buffered; false at the end of the input.
    private mutating func fill() throws(NIfTIError) -> Bool {
        if position == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            position = 0
        }
        let old = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: Self.chunk))
        let (fd, path) = (self.fd, self.path)
        let read = try buffer[old...].withUnsafeMutableBytes { chunk in
            Result { () throws(NIfTIError) in try FileBytes.readChunk(fd, into: chunk, path: path) }
        }.get()
        buffer.removeLast(Self.chunk - read)
        buffer[old...].withUnsafeBytes { digest.update($0) }
        return read > 0
    }
}

/// Standard input, read once for the whole process: a manifest given as `-` is read to
/// check it before the database is opened, then to import it.
enum StandardInput {
    private static let parsed = Mutex<Result<ManifestContent, any Error>?>(nil)

    static func manifest() throws -> ManifestContent {
        try parsed.withLock { cached in
            if cached == nil { cached = Result { try ManifestContent(reading: 0, path: Manifest.standardInput) } }
            return try cached!.get()
        }
    }
}
