import Formatting

/// JSON as ClinicaDL's `maps.json` (1.x), `model.json` and `computational.json` (2.0) hold
/// it, read keeping what a parameter must keep: each number's text as written (`1e-05`
/// stays `1e-05`, as a manifest cell would) and each object's keys in file order.
enum ClinicaDLJSON: Equatable {
    case object([(key: String, value: ClinicaDLJSON)])
    case array([ClinicaDLJSON])
    case string(String)
    /// A number, as written.
    case number(String)
    case bool(Bool)
    case null

    static func == (a: ClinicaDLJSON, b: ClinicaDLJSON) -> Bool {
        switch (a, b) {
        case let (.object(x), .object(y)): x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case let (.array(x), .array(y)): x == y
        case let (.string(x), .string(y)), let (.number(x), .number(y)): x == y
        case let (.bool(x), .bool(y)): x == y
        case (.null, .null): true
        default: false
        }
    }

    /// Parses `text`; throws a one-line reason naming the byte where it stops.
    init(parsing text: String) throws(JSONProblem) {
        var parser = Parser(bytes: Array(text.utf8))
        parser.skipSpace()
        self = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.index == parser.bytes.count else { throw JSONProblem(offset: parser.index, what: "text after the JSON value") }
    }

    /// The value at `key` of an object, nil otherwise.
    subscript(key: String) -> ClinicaDLJSON? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// A string's text, or a number's.
    var text: String? {
        switch self {
        case .string(let s), .number(let s): s
        case .bool(let b): b ? "true" : "false"
        default: nil
        }
    }

    /// The value written back as compact JSON (numbers as they were written).
    var compact: String {
        switch self {
        case .object(let members): "{" + members.map { JSONText.quoted($0.key) + ":" + $0.value.compact }.joined(separator: ",") + "}"
        case .array(let values): "[" + values.map(\.compact).joined(separator: ",") + "]"
        case .string(let s): JSONText.quoted(s)
        case .number(let n): n
        case .bool(let b): b ? "true" : "false"
        case .null: "null"
        }
    }

    /// Every scalar under this value, its keys joined by dots (`preprocessing_dict.file_type.pattern`);
    /// an array is one value, its compact JSON; nulls are left out.
    func flattened(prefix: String = "") -> [(name: String, value: String)] {
        switch self {
        case .object(let members):
            return members.flatMap { $0.value.flattened(prefix: prefix.isEmpty ? $0.key : prefix + "." + $0.key) }
        case .array: return [(prefix, compact)]
        case .null: return []
        default: return [(prefix, text!)]
        }
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        mutating func value(depth: Int) throws(JSONProblem) -> ClinicaDLJSON {
            guard depth < 64 else { throw JSONProblem(offset: index, what: "values nested more than 64 deep") }
            guard index < bytes.count else { throw JSONProblem(offset: index, what: "the text ends where a value should be") }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                var members: [(key: String, value: ClinicaDLJSON)] = []
                skipSpace()
                if peek("}") { index += 1; return .object(members) }
                while true {
                    skipSpace()
                    guard index < bytes.count else { throw JSONProblem(offset: index, what: "the text ends inside an object") }
                    guard peek("\"") else { throw JSONProblem(offset: index, what: "an object key that is not a string") }
                    let key = try string()
                    skipSpace()
                    guard peek(":") else { throw JSONProblem(offset: index, what: "no ':' after an object key") }
                    index += 1
                    skipSpace()
                    members.append((key, try value(depth: depth + 1)))
                    skipSpace()
                    if peek(",") { index += 1; continue }
                    if peek("}") { index += 1; return .object(members) }
                    throw JSONProblem(offset: index, what: index < bytes.count ? "no ',' or '}' after an object member" : "the text ends inside an object")
                }
            case UInt8(ascii: "["):
                index += 1
                var values: [ClinicaDLJSON] = []
                skipSpace()
                if peek("]") { index += 1; return .array(values) }
                while true {
                    skipSpace()
                    values.append(try value(depth: depth + 1))
                    skipSpace()
                    if peek(",") { index += 1; continue }
                    if peek("]") { index += 1; return .array(values) }
                    throw JSONProblem(offset: index, what: "no ',' or ']' after an array element")
                }
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            // Python's json writes these for float('nan') and infinities.
            case UInt8(ascii: "N"): try literal("NaN"); return .number("NaN")
            case UInt8(ascii: "I"): try literal("Infinity"); return .number("Infinity")
            default:
                let start = index
                if peek("-") { index += 1 }
                if peek("I") { try literal("Infinity"); return .number("-Infinity") }
                while index < bytes.count, "0123456789+-.eE".utf8.contains(bytes[index]) { index += 1 }
                guard index > start else { throw JSONProblem(offset: index, what: "an unexpected character") }
                return .number(String(decoding: bytes[start..<index], as: UTF8.self))
            }
        }

        func peek(_ character: Unicode.Scalar) -> Bool { index < bytes.count && bytes[index] == UInt8(character.value) }

        mutating func literal(_ word: String) throws(JSONProblem) {
            let utf8 = Array(word.utf8)
            guard index + utf8.count <= bytes.count, Array(bytes[index..<index + utf8.count]) == utf8 else {
                throw JSONProblem(offset: index, what: "an unexpected word")
            }
            index += utf8.count
        }

        mutating func string() throws(JSONProblem) -> String {
            index += 1  // the opening quote
            var out: [UInt8] = []
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard index < bytes.count else { break }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "u"):
                        guard index + 4 <= bytes.count, var code = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16) else {
                            throw JSONProblem(offset: index, what: "a bad \\u escape")
                        }
                        index += 4
                        // A surrogate pair (json.dump's ensure_ascii writes one for characters beyond the BMP).
                        if (0xD800..<0xDC00).contains(code), index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"),
                            bytes[index + 1] == UInt8(ascii: "u"),
                            let low = UInt32(String(decoding: bytes[index + 2..<index + 6], as: UTF8.self), radix: 16), (0xDC00..<0xE000).contains(low)
                        {
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                            index += 6
                        }
                        out.append(contentsOf: Array(String(Unicode.Scalar(code).map(Character.init) ?? "\u{FFFD}").utf8))
                    default: out.append(escape)
                    }
                default: out.append(byte)
                }
            }
            throw JSONProblem(offset: index, what: "a string that never ends")
        }
    }
}

/// Where and why a JSON text could not be read.
struct JSONProblem: Error {
    var offset: Int
    var what: String
    var description: String { "\(what) at byte \(offset)" }
}
