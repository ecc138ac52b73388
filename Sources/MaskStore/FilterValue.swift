/// A value bound as an SQL parameter.
public enum FilterValue: Sendable, Equatable {
    /// A number, always finite.
    case number(Double)
    /// A text value, or a JSON path for a `params.NAME` field.
    case text(String)
}
