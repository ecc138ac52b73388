/// Turns tokens into SQL by recursive descent, binding every value as it goes.
///
/// Grammar, loosest first:
///
///     or         := and ("or" and)*
///     and        := unary ("and" unary)*
///     unary      := "not" unary | "(" or ")" | comparison
///     comparison := FIELD OP value | FIELD ["not"] "in" "(" value ("," value)* ")"
///
/// SQL text is made only of field SQL from the table, `paramsColumn`, fixed
/// keywords, parentheses and `?`; what the user wrote reaches SQLite only as arguments.
struct FilterParser {
    /// How deep `(` and `not` may nest. SQLite 3.40's parser stack overflows near
    /// 18 levels of `a AND NOT (`, so leave room for the query around the filter.
    static let maximumDepth = 16
    /// How many values a filter may bind: keeps SQLite's expression tree (1,000
    /// deep at most) and its variable limit out of reach.
    static let maximumArguments = 500

    private static let expectedCondition = "a field name, 'not' or '('"
    private static let expectedOperator = "an operator (= != < <= > >= in, not in)"

    let tokens: [FilterToken]
    let fields: [FilterField]
    let paramsColumn: String?
    private var index = 0
    private var depth = 0
    private var arguments: [FilterValue] = []

    init(tokens: [FilterToken], fields: [FilterField], paramsColumn: String?) {
        self.tokens = tokens
        self.fields = fields
        self.paramsColumn = paramsColumn
    }

    /// The whole expression as one filter.
    mutating func parse() throws(FilterError) -> Filter {
        guard !tokens.isEmpty else { throw .emptyExpression }
        let sql = try parseOr()
        if let token = peek() {
            if token.kind == .rightParen { throw .unmatchedParenthesis(position: token.position) }
            throw .trailingInput(token.source, position: token.position)
        }
        return Filter(sql: sql, arguments: arguments)
    }

    private mutating func parseOr() throws(FilterError) -> String {
        var parts = [try parseAnd()]
        while peek()?.keyword == "or" {
            index += 1
            parts.append(try parseAnd())
        }
        return parts.count == 1 ? parts[0] : "(" + parts.joined(separator: " OR ") + ")"
    }

    private mutating func parseAnd() throws(FilterError) -> String {
        var parts = [try parseUnary()]
        while peek()?.keyword == "and" {
            index += 1
            parts.append(try parseUnary())
        }
        return parts.count == 1 ? parts[0] : "(" + parts.joined(separator: " AND ") + ")"
    }

    private mutating func parseUnary() throws(FilterError) -> String {
        guard let token = peek() else { throw endError(expected: Self.expectedCondition) }
        if token.keyword == "not" {
            index += 1
            try enter(token)
            defer { depth -= 1 }
            return "(NOT \(try parseUnary()))"
        }
        if token.kind == .leftParen {
            index += 1
            try enter(token)
            defer { depth -= 1 }
            let inner = try parseOr()
            guard let close = peek() else {
                throw endError(expected: "')' to close the '(' at position \(token.position)")
            }
            guard close.kind == .rightParen else {
                throw .unexpectedToken(close.source, position: close.position, expected: "'and', 'or' or ')'")
            }
            index += 1
            return inner
        }
        return try parseComparison()
    }

    private mutating func enter(_ token: FilterToken) throws(FilterError) {
        depth += 1
        if depth > Self.maximumDepth {
            throw .tooDeep(position: token.position, limit: Self.maximumDepth)
        }
    }

    /// The left-hand side of a comparison, resolved against the field table.
    private enum Subject {
        case field(FilterField)
        /// `params.NAME`: the JSON path to bind; its kind follows the values compared.
        case parameter(column: String, path: String)
    }

    private mutating func parseComparison() throws(FilterError) -> String {
        let fieldToken = tokens[index]
        let subject = try resolveField(fieldToken)
        index += 1
        guard let op = peek() else { throw endError(expected: Self.expectedOperator) }
        index += 1
        if case let .comparison(sql) = op.kind {
            let value = try parseValue(after: op)
            let left = try bind(subject, named: fieldToken.source, to: [value])
            return "(\(left) \(sql) ?)"
        }
        var negated = false
        if op.keyword == "not" {
            guard let next = peek() else { throw endError(expected: "'in' after 'not'") }
            guard next.keyword == "in" else {
                throw .unexpectedToken(next.source, position: next.position, expected: "'in' after 'not'")
            }
            negated = true
            index += 1
        } else if op.keyword != "in" {
            throw .unexpectedToken(
                op.source, position: op.position, expected: "\(Self.expectedOperator) after '\(fieldToken.source)'")
        }
        let values = try parseList(for: fieldToken)
        let left = try bind(subject, named: fieldToken.source, to: values)
        let placeholders = Array(repeating: "?", count: values.count).joined(separator: ", ")
        return "(\(left) \(negated ? "NOT IN" : "IN") (\(placeholders)))"
    }

    private func resolveField(_ token: FilterToken) throws(FilterError) -> Subject {
        guard case let .word(name) = token.kind, token.keyword == nil else {
            throw .unexpectedToken(token.source, position: token.position, expected: Self.expectedCondition)
        }
        if let field = fields.first(where: { $0.name == name }) {
            return .field(field)
        }
        if let paramsColumn, name.hasPrefix("params.") {
            let key = name.dropFirst("params.".count)
            guard Self.isParameterName(key) else { throw .badParameterName(name, position: token.position) }
            // The key is quoted so dots and dashes in it are not read as path steps.
            return .parameter(column: paramsColumn, path: "$.\"\(key)\"")
        }
        let known = fields.map(\.name) + (paramsColumn == nil ? [] : ["params.NAME"])
        throw .unknownField(name, position: token.position, known: known)
    }

    /// `[A-Za-z0-9_][A-Za-z0-9_.-]*`
    static func isParameterName(_ name: Substring) -> Bool {
        func isPlain(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
                true
            default: false
            }
        }
        guard let first = name.utf8.first, isPlain(first) else { return false }
        return name.utf8.allSatisfy { isPlain($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    private mutating func parseList(for fieldToken: FilterToken) throws(FilterError) -> [FilterToken] {
        let keyword = tokens[index - 1]
        guard let open = peek() else { throw endError(expected: "'(' to start the list") }
        guard open.kind == .leftParen else {
            throw .unexpectedToken(open.source, position: open.position, expected: "'(' after '\(keyword.source)'")
        }
        index += 1
        if peek()?.kind == .rightParen {
            throw .emptyList(fieldToken.source, position: open.position)
        }
        var values = [try parseValue(after: open)]
        while true {
            let expected = "',' or ')' to close the list at position \(open.position)"
            guard let next = peek() else { throw endError(expected: expected) }
            index += 1
            switch next.kind {
            case .comma: values.append(try parseValue(after: next))
            case .rightParen: return values
            default: throw .unexpectedToken(next.source, position: next.position, expected: expected)
            }
        }
    }

    /// The literal after `previous`: a number, a string, or a bare word that is not a keyword.
    private mutating func parseValue(after previous: FilterToken) throws(FilterError) -> FilterToken {
        guard let token = peek() else { throw .missingValue(after: previous.source, position: previous.position) }
        switch token.kind {
        case .number, .string:
            break
        case .word where token.keyword == nil:
            break
        default:
            throw .missingValue(after: previous.source, position: previous.position)
        }
        index += 1
        return token
    }

    /// Appends the arguments for `subject` compared with `values`, and returns the left-hand SQL.
    private mutating func bind(
        _ subject: Subject, named name: String, to values: [FilterToken]
    ) throws(FilterError) -> String {
        let left: String
        let kind: FilterField.Kind
        switch subject {
        case let .field(field):
            left = field.sql
            kind = field.kind
        case let .parameter(column, path):
            let numeric = values.allSatisfy {
                if case .number = $0.kind { true } else { false }
            }
            // JSON text and numbers never compare equal in SQLite, so text
            // comparisons cast whatever the JSON holds to its text.
            left = numeric ? "json_extract(\(column), ?)" : "CAST(json_extract(\(column), ?) AS TEXT)"
            kind = numeric ? .number : .text
            arguments.append(.text(path))
        }
        for value in values {
            arguments.append(try Self.value(of: value, kind: kind, field: name))
            if arguments.count > Self.maximumArguments {
                throw .tooManyValues(position: value.position, limit: Self.maximumArguments)
            }
        }
        return left
    }

    private static func value(
        of token: FilterToken, kind: FilterField.Kind, field: String
    ) throws(FilterError) -> FilterValue {
        switch (token.kind, kind) {
        case let (.number(_, number), .number):
            .number(number)
        case let (.number(text, _), .text), let (.word(text), .text), let (.string(text), .text):
            .text(text)
        case (.word, .number), (.string, .number), (.comparison, _), (.leftParen, _), (.rightParen, _), (.comma, _):
            throw .numberExpected(field: field, value: token.source, position: token.position)
        }
    }

    private func peek() -> FilterToken? {
        index < tokens.count ? tokens[index] : nil
    }

    /// The error for running out of tokens, naming the last one.
    private func endError(expected: String) -> FilterError {
        let last = tokens[tokens.count - 1]
        return .unexpectedEnd(after: last.source, position: last.position, expected: expected)
    }
}
