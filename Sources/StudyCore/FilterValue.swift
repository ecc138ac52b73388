/// A value a filter compares a field with; stores bind it as a parameter.
public enum FilterValue: Sendable, Equatable {
    /// A number, always finite.
    case number(Double)
    /// A text value.
    case text(String)
}
