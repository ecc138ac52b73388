/// A path pattern, as `maskdb import --pattern` takes it: folders and a file name separated
/// by "/", relative to a root folder. A segment `**` stands for any number of folders (none
/// included); any other segment is literal text, `*` (any text within the segment), `?` (one
/// character) and `{FIELD}` (one or more characters, kept as the cell of the manifest column
/// FIELD). `\` takes the next character literally. As in a shell, a name starting with "."
/// is matched only by a segment starting with a literal ".".
struct PathPattern: Sendable {
    /// A part of one segment.
    enum Piece: Sendable, Equatable {
        case text(String)
        case anyText
        case anyCharacter
        case capture(String)
    }

    /// A segment: `**`, or a name made of pieces.
    enum Segment: Sendable, Equatable {
        case folders
        case name([Piece])
    }

    /// The pattern as given, for messages and the audit log (empty segments dropped).
    let text: String
    let segments: [Segment]

    /// The fields its captures name, each once, in the order they first appear.
    var fields: [String] {
        var seen = Set<String>()
        return segments.flatMap { segment -> [String] in
            guard case .name(let pieces) = segment else { return [] }
            return pieces.compactMap { if case .capture(let field) = $0, seen.insert(field).inserted { field } else { nil } }
        }
    }

    init(_ text: String) throws(ImportError) {
        func refuse(_ detail: String) -> ImportError { .badPattern(pattern: text, detail: detail) }
        guard !text.isEmpty else { throw refuse("the pattern is empty") }
        guard !text.hasPrefix("/") else { throw refuse("a pattern is relative to --root; give the folder it starts from there") }
        guard !text.hasSuffix("/") else { throw refuse("a pattern ends with the files' names, not '/'") }
        let parts = text.split(separator: "/").map(String.init)
        if let dots = parts.first(where: { $0 == "." || $0 == ".." }) {
            throw refuse("a pattern names folders below --root, not '\(dots)'; give the folder it starts from as --root")
        }
        var segments = try parts.map { part throws(ImportError) in
            part == "**" ? Segment.folders : .name(try Self.pieces(of: part, refuse: refuse))
        }
        // A last `**` matches the files below as a shell's does.
        if segments.last == .folders { segments.append(.name([.anyText])) }
        self.text = parts.joined(separator: "/")
        self.segments = segments
    }

    /// The pieces of one segment.
    private static func pieces(of segment: String, refuse: (String) -> ImportError) throws(ImportError) -> [Piece] {
        var pieces: [Piece] = []
        var literal = ""
        var characters = segment.makeIterator()
        func endLiteral() {
            if !literal.isEmpty { pieces.append(.text(literal)) }
            literal = ""
        }
        while let character = characters.next() {
            switch character {
            case "\\":
                guard let next = characters.next() else { throw refuse("'\\' ends '\(segment)'; it takes the character after it literally") }
                literal.append(next)
            case "*":
                endLiteral()
                // `**` within a name is `*`, as in a shell.
                if pieces.last != .anyText { pieces.append(.anyText) }
            case "?":
                endLiteral()
                pieces.append(.anyCharacter)
            case "{":
                endLiteral()
                var field = ""
                var closed = false
                while !closed, let next = characters.next() {
                    guard next != "{" else { throw refuse("'{' within a capture in '\(segment)'; captures do not nest") }
                    if next == "}" { closed = true } else { field.append(next) }
                }
                guard closed else { throw refuse("'{' opens a capture in '\(segment)' that no '}' closes") }
                guard !field.isEmpty else { throw refuse("'{}' in '\(segment)' captures no field; write {FIELD}, e.g. {fold}") }
                pieces.append(.capture(field))
            case "}":
                throw refuse("'}' in '\(segment)' closes no capture; write \\} for the character")
            default:
                literal.append(character)
            }
        }
        endLiteral()
        return pieces
    }
}

extension PathPattern {
    /// What `name` (one file or folder name) captures against `pieces`, in order; nil when it
    /// does not match. Wildcards and captures take as few characters as the rest allows.
    static func match(_ pieces: [Piece], _ name: String) -> [(field: String, text: String)]? {
        // A hidden name only by a literal dot, as in a shell.
        if name.hasPrefix("."), !startsWithDot(pieces) { return nil }
        let characters = Array(name)
        func match(_ piece: Int, _ at: Int, _ captures: [(field: String, text: String)]) -> [(field: String, text: String)]? {
            guard piece < pieces.count else { return at == characters.count ? captures : nil }
            switch pieces[piece] {
            case .text(let text):
                let expected = Array(text)
                guard characters[at...].starts(with: expected) else { return nil }
                return match(piece + 1, at + expected.count, captures)
            case .anyCharacter:
                return at < characters.count ? match(piece + 1, at + 1, captures) : nil
            case .anyText:
                return (at...characters.count).lazy.compactMap { match(piece + 1, $0, captures) }.first
            case .capture(let field):
                guard at < characters.count else { return nil }
                return ((at + 1)...characters.count).lazy.compactMap { end in
                    match(piece + 1, end, captures + [(field, String(characters[at..<end]))])
                }.first
            }
        }
        return match(0, 0, [])
    }

    private static func startsWithDot(_ pieces: [Piece]) -> Bool {
        if case .text(let first)? = pieces.first { return first.hasPrefix(".") }
        return false
    }

    /// The literal name a segment of text alone stands for (no listing needed), else nil.
    static func literalName(_ pieces: [Piece]) -> String? {
        pieces.reduce(into: "" as String?) { name, piece in
            if case .text(let text) = piece { name? += text } else { name = nil }
        }
    }
}
