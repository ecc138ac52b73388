/// One token of a `--where` expression, with where it was written.
struct FilterToken: Equatable {
    enum Kind: Equatable {
        /// A bare word: a field name, a keyword or a text value.
        case word(String)
        /// A number literal, kept as written for text fields.
        case number(String, Double)
        /// A quoted string, unescaped.
        case string(String)
        /// A comparison operator.
        case comparison(FilterOperator)
        case leftParen
        case rightParen
        case comma
    }

    var kind: Kind
    /// The token as the user wrote it, for error messages.
    var source: String
    /// 1-based character position of the token's first character.
    var position: Int

    /// The keyword this token spells (`and`, `or`, `not`, `in`), in lowercase, if any.
    var keyword: String? {
        guard case let .word(word) = kind else { return nil }
        let lowered = word.lowercased()
        return FilterToken.keywords.contains(lowered) ? lowered : nil
    }

    static let keywords: Set<String> = ["and", "or", "not", "in"]
}
