/// A compiled filter: an SQL boolean expression with `?` placeholders, and its arguments in order.
///
/// Every comparison is parenthesized, and so is every `AND`, `OR` and `NOT`, so
/// the SQL never relies on operator precedence: `a = 1 or b = 2 and c = 3`
/// compiles to `((a = ?) OR ((b = ?) AND (c = ?)))`.
public struct Filter: Sendable, Equatable {
    /// The boolean SQL expression, for a `WHERE` clause.
    public var sql: String
    /// The values for the `?` placeholders of `sql`, in order.
    public var arguments: [FilterValue]

    /// A filter every row passes.
    public static let all = Filter(sql: "1", arguments: [])

    /// `field = value`, for callers that know the value (no expression to parse).
    public static func equal(field: String, to value: FilterValue, in fields: [FilterField]) -> Filter {
        guard let column = fields.first(where: { $0.name == field }) else {
            preconditionFailure("no filter field named \(field)")
        }
        return Filter(sql: "(\(column.sql) = ?)", arguments: [value])
    }

    /// Compiles `expression`; `paramsColumn` (e.g. "masks.params", a JSON text column) enables `params.NAME` fields, nil disables them.
    ///
    /// The language: comparisons `FIELD OP VALUE` with OP one of `= == != <> < <= > >=`,
    /// `FIELD in (V, ...)` and `FIELD not in (V, ...)`, joined with `and`, `or`,
    /// `not` and parentheses (`and` binds tighter than `or`; keywords in any case).
    /// Values are numbers, quoted strings (`'...'` or `"..."`, a doubled quote
    /// escapes it) or bare words taken as text. Every value, and every
    /// `params.NAME` JSON path, is bound as an argument, never written into the SQL.
    public static func compile(
        _ expression: String, fields: [FilterField], paramsColumn: String?
    ) throws(FilterError) -> Filter {
        let tokens = try FilterLexer.tokens(of: expression)
        var parser = FilterParser(tokens: tokens, fields: fields, paramsColumn: paramsColumn)
        return try parser.parse()
    }
}
