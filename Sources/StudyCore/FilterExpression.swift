/// A parsed `--where` expression: which records pass, as a tree each store renders in
/// its own query language (every value stays a value, bound as a parameter).
public indirect enum FilterExpression: Sendable, Equatable {
    /// Every record passes.
    case all
    /// `field op value`.
    case compare(StudyField, FilterOperator, FilterValue)
    /// `field in (values)`, or `field not in (values)` when negated.
    case member(StudyField, [FilterValue], negated: Bool)
    /// Every operand holds (two or more).
    case and([FilterExpression])
    /// Some operand holds (two or more).
    case or([FilterExpression])
    case not(FilterExpression)

    /// `field = value`, for callers that know the value (no expression to parse).
    public static func equal(_ field: StudyField, _ value: FilterValue) -> FilterExpression {
        .compare(field, .equal, value)
    }

    /// Parses `expression` over `fields`; `parameters` enables `params.NAME` fields and
    /// `metrics` (for models) `metric.DATASET.NAME` ones.
    ///
    /// The language: comparisons `FIELD OP VALUE` with OP one of `= == != <> < <= > >=`,
    /// `FIELD in (V, ...)` and `FIELD not in (V, ...)`, joined with `and`, `or`,
    /// `not` and parentheses (`and` binds tighter than `or`; keywords in any case).
    /// Values are numbers, quoted strings (`'...'` or `"..."`, a doubled quote
    /// escapes it) or bare words taken as text. A number field takes number values only;
    /// a parameter or annotation compares as a number when every value it is compared with
    /// is one (text that reads as no number matching none), and as text (numbers as written)
    /// otherwise.
    public static func parse(
        _ expression: String, fields: [StudyField], parameters: Bool, metrics: Bool = false, annotations: Bool = false
    ) throws(FilterError) -> FilterExpression {
        let tokens = try FilterLexer.tokens(of: expression)
        var parser = FilterParser(tokens: tokens, fields: fields, parameters: parameters, metrics: metrics, annotations: annotations)
        return try parser.parse()
    }

    /// Every field the expression reads, in the order written.
    public var fields: [StudyField] {
        switch self {
        case .all: []
        case .compare(let field, _, _), .member(let field, _, _): [field]
        case .and(let operands), .or(let operands): operands.flatMap(\.fields)
        case .not(let operand): operand.fields
        }
    }
}

/// A comparison operator.
public enum FilterOperator: String, Sendable, CaseIterable {
    case equal = "="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
}
