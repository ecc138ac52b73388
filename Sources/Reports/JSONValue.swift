import Formatting

/// A JSON document with ordered keys, rendered deterministically (for outputs that diff cleanly).
public indirect enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case integer(Int)
    /// A number; non-finite values render as null, since JSON has no NaN.
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])
    /// JSON text that is already valid (e.g. a stored JSON column), embedded as it is.
    case raw(String)

    /// Equal when they render to the same text.
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        lhs.rendered() == rhs.rendered()
    }

    /// A number, or null for nil.
    public static func number(_ value: Double?) -> JSONValue { value.map { .number($0) } ?? .null }

    /// Compact JSON text, or indented with two spaces when `pretty`.
    public func rendered(pretty: Bool = false) -> String {
        var out = ""
        write(to: &out, pretty: pretty, indent: "")
        return out
    }

    private func write(to out: inout String, pretty: Bool, indent: String) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .integer(let value): out += String(value)
        case .number(let value): out += value.isFinite ? NumberText.exact(value) : "null"
        case .string(let value): out += JSONText.quoted(value)
        case .raw(let text): out += text
        case .array(let items):
            // Arrays of numbers and strings stay on one line even when pretty.
            let flat = pretty && items.allSatisfy { !$0.isContainer }
            if flat { out += "[" + items.map { $0.rendered() }.joined(separator: ", ") + "]"; return }
            writeContainer(items.map { (nil, $0) }, open: "[", close: "]", to: &out, pretty: pretty, indent: indent)
        case .object(let members):
            writeContainer(members.map { ($0, $1) }, open: "{", close: "}", to: &out, pretty: pretty, indent: indent)
        }
    }

    private var isContainer: Bool {
        switch self {
        case .array, .object: true
        default: false
        }
    }

    private func writeContainer(
        _ items: [(String?, JSONValue)], open: String, close: String, to out: inout String, pretty: Bool, indent: String
    ) {
        out += open
        guard !items.isEmpty else { out += close; return }
        let inner = indent + "  "
        for (index, (key, value)) in items.enumerated() {
            if index > 0 { out += "," }
            if pretty { out += "\n" + inner }
            if let key {
                out += JSONText.quoted(key)
                out += pretty ? ": " : ":"
            }
            value.write(to: &out, pretty: pretty, indent: inner)
        }
        if pretty { out += "\n" + indent }
        out += close
    }

}
