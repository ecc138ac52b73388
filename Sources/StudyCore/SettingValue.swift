import Formatting

/// The value of one setting of a mask (fold, λ1, subjects, a parameter...), ordered so
/// tables list numbers numerically and text alphabetically, with a missing value first.
public enum SettingValue: Hashable, Comparable, Sendable, CustomStringConvertible {
    case missing
    case number(Double)
    case text(String)

    public static func < (lhs: SettingValue, rhs: SettingValue) -> Bool {
        switch (lhs, rhs) {
        case let (.number(a), .number(b)): a < b
        case let (.text(a), .text(b)): a < b
        case (.missing, .missing): false
        case (.missing, _): true
        case (_, .missing): false
        case (.number, .text): true
        case (.text, .number): false
        }
    }

    /// How the value reads in tables: numbers as exactly as they were stored, `-` for none.
    public var description: String {
        switch self {
        case .missing: "-"
        case .number(let n): NumberText.exact(n)
        case .text(let t): t
        }
    }
}
