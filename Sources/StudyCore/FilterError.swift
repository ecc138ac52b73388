/// What can be wrong with a `--where` expression. Positions count characters from 1.
public enum FilterError: Error, Equatable, Sendable {
    /// The expression is empty or only whitespace.
    case emptyExpression
    /// A character that starts no token, such as `;`.
    case unexpectedCharacter(String, position: Int)
    /// A quoted string has no closing quote.
    case unterminatedString(quote: String, position: Int)
    /// A number literal too large to be a finite double.
    case numberOutOfRange(String, position: Int)
    /// A token where the grammar wants something else, described by `expected`.
    case unexpectedToken(String, position: Int, expected: String)
    /// The expression stops after the token at `position` while more is needed.
    case unexpectedEnd(after: String, position: Int, expected: String)
    /// A field name not in the field table; `known` lists the names users may write.
    case unknownField(String, position: Int, known: [String])
    /// A `params.NAME` field whose NAME has characters a parameter name cannot have.
    case badParameterName(String, position: Int)
    /// A comparison operator, `(` or `,` with no value after it.
    case missingValue(after: String, position: Int)
    /// `in ()` with nothing between the parentheses.
    case emptyList(String, position: Int)
    /// A number field compared with a text value.
    case numberExpected(field: String, value: String, position: Int)
    /// Tokens left over after a complete expression.
    case trailingInput(String, position: Int)
    /// A `)` with no `(` before it.
    case unmatchedParenthesis(position: Int)
    /// Parentheses and `not` nest deeper than SQLite can parse safely.
    case tooDeep(position: Int, limit: Int)
    /// More values than one query should bind.
    case tooManyValues(position: Int, limit: Int)
}

extension FilterError: CustomStringConvertible {
    /// The message, on one line: what is wrong, where, and what to do.
    public var description: String {
        switch self {
        case .emptyExpression:
            "empty --where expression; write a condition such as fold = 1"
        case let .unexpectedCharacter(character, position):
            "unexpected character \(Self.quoted(character)) at position \(position); put text containing it in quotes"
        case let .unterminatedString(quote, position):
            "unterminated string starting at position \(position); end it with a matching \(quote) (write \(quote)\(quote) for a \(quote) inside)"
        case let .numberOutOfRange(number, position):
            "number \(Self.quoted(number)) at position \(position) is out of range; use a finite number"
        case let .unexpectedToken(token, position, expected):
            "unexpected \(Self.quoted(token)) at position \(position); expected \(expected)"
        case let .unexpectedEnd(token, position, expected):
            "expression ends too early after \(Self.quoted(token)) at position \(position); expected \(expected)"
        case let .unknownField(name, position, known):
            "unknown field \(Self.quoted(name)) at position \(position); "
                + (NameSuggestion.closest(to: name, among: known).map { "did you mean '\($0)'? " } ?? "")
                + "known fields: \(known.isEmpty ? "none" : known.joined(separator: ", "))"
        case let .badParameterName(name, position):
            "bad parameter field \(Self.quoted(name)) at position \(position); write params.NAME with NAME made of letters, digits, '_', '.' and '-', not starting with '.' or '-'"
        case let .missingValue(token, position):
            "missing value after \(Self.quoted(token)) at position \(position); give a number, a word or a quoted string"
        case let .emptyList(field, position):
            "empty in list for \(Self.quoted(field)) at position \(position); give at least one value, e.g. \(field) in (1, 2)"
        case let .numberExpected(field, value, position):
            "\(Self.quoted(field)) is a number field, but \(Self.quoted(value)) at position \(position) is not a number; compare it with a number, e.g. \(field) = 1"
        case let .trailingInput(token, position):
            "unexpected \(Self.quoted(token)) at position \(position) after a complete condition; join conditions with 'and' or 'or'"
        case let .unmatchedParenthesis(position):
            "unmatched ')' at position \(position); remove it or add a matching '('"
        case let .tooDeep(position, limit):
            "expression nests deeper than \(limit) levels of '(' and 'not' at position \(position); simplify it"
        case let .tooManyValues(position, limit):
            "expression has more than \(limit) values at position \(position); use fewer conditions or shorter in lists"
        }
    }

    /// `text` in single quotes unless written with its own quotes, on one line, and cut short if long.
    static func quoted(_ text: String) -> String {
        var shown = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": shown += "\\n"
            case "\r": shown += "\\r"
            case "\t": shown += "\\t"
            default:
                switch scalar.properties.generalCategory {
                case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .unassigned:
                    shown += "\\u{\(String(scalar.value, radix: 16))}"
                default:
                    shown.unicodeScalars.append(scalar)
                }
            }
        }
        if shown.count > 40 { shown = shown.prefix(37) + "..." }
        if let first = text.first, first == "'" || first == "\"" { return shown }
        return "'\(shown)'"
    }
}
