import Formatting
import Foundation

/// Named values a manifest gives beyond the known fields (a lab's own settings, a mask's
/// annotations, a model's training parameters), stored as canonical JSON: keys sorted,
/// values as written, so that the same cells always give the same text and re-imports match.
/// Cells are kept as text: `007`, `7` and `7.0` are three values, and a 20-digit id keeps
/// its digits; comparisons read them as numbers where that is asked for (`--where params.lr > 0.001`).
public struct Parameters: Equatable, Sendable {
    /// A value: text as written; numbers only come from databases of maskdb 0.x, whose
    /// imports converted number-like cells (migration 0004 turns them back into text).
    public enum Value: Equatable, Sendable {
        case number(Double)
        case text(String)

        /// A manifest cell's value, as written.
        public init(cell: String) {
            self = .text(cell)
        }

        /// The value as text: a number as its shortest exact spelling, which is what the
        /// imports of earlier versions read it from when the cell was written that way.
        public var text: String {
            switch self {
            case .number(let n): NumberText.exact(n)
            case .text(let t): t
            }
        }
    }

    /// The values by name.
    public var values: [String: Value]

    /// Parameters from values by name.
    public init(_ values: [String: Value] = [:]) {
        self.values = values
    }

    /// True when there is no parameter.
    public var isEmpty: Bool { values.isEmpty }

    /// The same values, every number turned into its text.
    public var asText: Parameters {
        Parameters(values.mapValues { .text($0.text) })
    }

    /// The canonical JSON text.
    public var json: String {
        let members = values.keys.sorted().map { key in
            JSONText.quoted(key) + ":" + {
                switch values[key]! {
                case .number(let n): NumberText.exact(n)
                case .text(let t): JSONText.quoted(t)
                }
            }()
        }
        return "{" + members.joined(separator: ",") + "}"
    }

    /// Parses JSON text written by `json` (or any flat object of numbers and strings).
    public init(json: String) {
        var values: [String: Value] = [:]
        // Most records have none: skip the parser (it is most of the time of reading 50,000).
        guard json != "{}" else {
            self.values = values
            return
        }
        // Text values without escapes, as `json` writes nearly every parameter: read
        // directly, without Foundation's parser (most of the time of reading 50,000).
        if let plain = Self.plainTextMembers(json) {
            self.values = plain
            return
        }
        if let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] {
            for (key, value) in object {
                if let text = value as? String {
                    values[key] = .text(text)
                } else if let number = value as? NSNumber {
                    values[key] = .number(number.doubleValue)
                }
            }
        }
        self.values = values
    }
}

extension Parameters {
    /// The members of `{"key":"text",...}` when no key or text has an escape or a
    /// control character and nothing stands between the tokens; nil for anything else.
    static func plainTextMembers(_ json: String) -> [String: Value]? {
        var json = json
        return json.withUTF8 { bytes -> [String: Value]? in
            let (quote, backslash) = (UInt8(ascii: "\""), UInt8(ascii: "\\"))
            guard bytes.count >= 2, bytes.first == UInt8(ascii: "{"), bytes.last == UInt8(ascii: "}") else { return nil }
            var i = 1
            func string() -> String? {
                guard i < bytes.count, bytes[i] == quote else { return nil }
                var end = i + 1
                while end < bytes.count, bytes[end] != quote {
                    if bytes[end] == backslash || bytes[end] < 0x20 { return nil }
                    end += 1
                }
                guard end < bytes.count else { return nil }
                defer { i = end + 1 }
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[(i + 1)..<end]), as: UTF8.self)
            }
            var values: [String: Value] = [:]
            while true {
                guard let key = string(), i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
                i += 1
                guard let text = string(), i < bytes.count else { return nil }
                values[key] = .text(text)
                if bytes[i] == UInt8(ascii: "}") { return i == bytes.count - 1 ? values : nil }
                guard bytes[i] == UInt8(ascii: ",") else { return nil }
                i += 1
            }
        }
    }
}

extension Parameters: Codable {
    /// A flat JSON object of numbers and strings; other members are left out.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        var values: [String: Value] = [:]
        for key in container.allKeys {
            if let number = try? container.decode(Double.self, forKey: key) {
                values[key.stringValue] = .number(number)
            } else if let text = try? container.decode(String.self, forKey: key) {
                values[key.stringValue] = .text(text)
            }
        }
        self.values = values
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for key in values.keys.sorted() {
            switch values[key]! {
            case .number(let n): try container.encode(n, forKey: Key(key))
            case .text(let t): try container.encode(t, forKey: Key(key))
            }
        }
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
