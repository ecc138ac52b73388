/// Turns tokens into a `FilterExpression` by recursive descent, checking every field
/// and value as it goes.
///
/// Grammar, loosest first:
///
///     or         := and ("or" and)*
///     and        := unary ("and" unary)*
///     unary      := "not" unary | "(" or ")" | comparison
///     comparison := FIELD OP value | FIELD ["not"] "in" "(" value ("," value)* ")"
struct FilterParser {
    /// How deep `(` and `not` may nest. SQLite 3.40's parser stack overflows near
    /// 18 levels of `a AND NOT (`, so leave room for the query around the filter.
    static let maximumDepth = 16
    /// How many values a filter may bind (a parameter's name counts as one): keeps
    /// SQLite's expression tree (1,000 deep at most) and its variable limit out of reach.
    static let maximumArguments = 500

    private static let expectedCondition = "a field name, 'not' or '('"
    private static let expectedOperator = "an operator (= != < <= > >= in, not in)"

    let tokens: [FilterToken]
    let fields: [StudyField]
    let parameters: Bool
    let metrics: Bool
    let annotations: Bool
    private var index = 0
    private var depth = 0
    private var bound = 0

    init(tokens: [FilterToken], fields: [StudyField], parameters: Bool, metrics: Bool = false, annotations: Bool = false) {
        self.tokens = tokens
        self.fields = fields
        self.parameters = parameters
        self.metrics = metrics
        self.annotations = annotations
    }

    /// The whole expression.
    mutating func parse() throws(FilterError) -> FilterExpression {
        guard !tokens.isEmpty else { throw .emptyExpression }
        let expression = try parseOr()
        if let token = peek() {
            if token.kind == .rightParen { throw .unmatchedParenthesis(position: token.position) }
            throw .trailingInput(token.source, position: token.position)
        }
        return expression
    }

    private mutating func parseOr() throws(FilterError) -> FilterExpression {
        var parts = [try parseAnd()]
        while peek()?.keyword == "or" {
            index += 1
            parts.append(try parseAnd())
        }
        return parts.count == 1 ? parts[0] : .or(parts)
    }

    private mutating func parseAnd() throws(FilterError) -> FilterExpression {
        var parts = [try parseUnary()]
        while peek()?.keyword == "and" {
            index += 1
            parts.append(try parseUnary())
        }
        return parts.count == 1 ? parts[0] : .and(parts)
    }

    private mutating func parseUnary() throws(FilterError) -> FilterExpression {
        guard let token = peek() else { throw endError(expected: Self.expectedCondition) }
        if token.keyword == "not" {
            index += 1
            try enter(token)
            defer { depth -= 1 }
            return .not(try parseUnary())
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

    private mutating func parseComparison() throws(FilterError) -> FilterExpression {
        let fieldToken = tokens[index]
        let field = try resolveField(fieldToken)
        index += 1
        guard let op = peek() else { throw endError(expected: Self.expectedOperator) }
        index += 1
        if case let .comparison(comparison) = op.kind {
            let value = try parseValue(after: op)
            return .compare(field, comparison, try bind(field, named: fieldToken.source, to: [value])[0])
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
        return .member(field, try bind(field, named: fieldToken.source, to: values), negated: negated)
    }

    private func resolveField(_ token: FilterToken) throws(FilterError) -> StudyField {
        guard case let .word(name) = token.kind, token.keyword == nil else {
            throw .unexpectedToken(token.source, position: token.position, expected: Self.expectedCondition)
        }
        if let field = fields.first(where: { $0.name == name }) {
            return field
        }
        let prefixes = (parameters ? [StudyField.parameterPrefix, StudyField.settingPrefix] : [])
            + (annotations ? [StudyField.annotationPrefix] : [])
        if prefixes.contains(where: name.hasPrefix) {
            guard let field = StudyField(name: name) else { throw .badParameterName(name, position: token.position) }
            return field
        }
        if metrics, let metric = StudyField.metric(named: name) {
            return metric
        }
        let known = fields.map(\.name) + (parameters ? [StudyField.parameterPrefix + "NAME"] : [])
            + (annotations ? [StudyField.annotationPrefix + "NAME"] : [])
            + (metrics ? [StudyField.metricPrefix + "DATASET.NAME"] : [])
        throw .unknownField(name, position: token.position, known: known)
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

    /// The values `field` is compared with, read as its kind wants them. A parameter is
    /// compared as a number when every value is a number literal, and as text otherwise
    /// (its number literals as written).
    private mutating func bind(
        _ field: StudyField, named name: String, to values: [FilterToken]
    ) throws(FilterError) -> [FilterValue] {
        let numeric: Bool
        if field.kind == .open {
            numeric = values.allSatisfy {
                if case .number = $0.kind { true } else { false }
            }
            bound += 1  // the parameter's name is bound too
        } else {
            if case .metric = field { bound += 2 }  // its dataset and name are bound too
            numeric = field.isNumeric
        }
        var result: [FilterValue] = []
        for value in values {
            result.append(try Self.value(of: value, numeric: numeric, field: name))
            bound += 1
            if bound > Self.maximumArguments {
                throw .tooManyValues(position: value.position, limit: Self.maximumArguments)
            }
        }
        return result
    }

    private static func value(
        of token: FilterToken, numeric: Bool, field: String
    ) throws(FilterError) -> FilterValue {
        switch (token.kind, numeric) {
        case let (.number(_, number), true):
            .number(number)
        case let (.number(text, _), false), let (.word(text), false), let (.string(text), false):
            .text(text)
        case (.word, true), (.string, true), (.comparison, _), (.leftParen, _), (.rightParen, _), (.comma, _):
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
