import Formatting
import Foundation

/// Open-ended parameters (a mask's extra manifest columns, a model's training
/// parameters), stored as canonical JSON: keys sorted, numbers as numbers, so that
/// the same parameters always give the same text and re-imports match.
public struct Parameters: Equatable, Sendable {
    /// A parameter value: a number when the cell reads as one, text otherwise.
    public enum Value: Equatable, Sendable {
        case number(Double)
        case text(String)

        /// A manifest cell's value: finite numbers become numbers.
        public init(cell: String) {
            if let number = NumberText.decimal(cell) {
                self = .number(number)
            } else {
                self = .text(cell)
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
