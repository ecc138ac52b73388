/// A field users may filter on, and the SQL expression it stands for.
///
/// The SQL comes from the program, never from the user: it is the only text of
/// a compiled filter besides operators, parentheses and `?` placeholders.
public struct FilterField: Sendable, Equatable {
    /// How a field's values are compared, which decides how literals are read.
    public enum Kind: Sendable {
        /// Values must be number literals, bound as doubles.
        case number
        /// Values are bound as text; a number literal is kept as written.
        case text
    }

    /// The name users write, e.g. `fold`, `lambda1`, `study`; matched case-sensitively.
    public var name: String
    /// The SQL expression the name stands for, e.g. `models.fold` or `studies.name`.
    public var sql: String
    /// Whether the field holds numbers or text.
    public var kind: Kind

    /// A field named `name` that compiles to `sql` and compares as `kind`.
    public init(_ name: String, sql: String, kind: Kind) {
        self.name = name
        self.sql = sql
        self.kind = kind
    }
}
