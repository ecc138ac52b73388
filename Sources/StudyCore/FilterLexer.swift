/// Splits a `--where` expression into tokens.
enum FilterLexer {
    /// The tokens of `expression`, or the first character that cannot start one.
    static func tokens(of expression: String) throws(FilterError) -> [FilterToken] {
        let characters = Array(expression)
        var tokens: [FilterToken] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            let start = index
            func token(_ kind: FilterToken.Kind, length: Int) -> FilterToken {
                FilterToken(
                    kind: kind, source: String(characters[start..<start + length]), position: start + 1)
            }
            if character.isWhitespace {
                index += 1
                continue
            }
            switch character {
            case "(":
                tokens.append(token(.leftParen, length: 1))
            case ")":
                tokens.append(token(.rightParen, length: 1))
            case ",":
                tokens.append(token(.comma, length: 1))
            case "=", "!", "<", ">":
                let next = index + 1 < characters.count ? characters[index + 1] : nil
                let (op, length): (FilterOperator, Int) =
                    switch (character, next) {
                    case ("=", "="): (.equal, 2)
                    case ("=", _): (.equal, 1)
                    case ("!", "="): (.notEqual, 2)
                    case ("<", "="): (.lessOrEqual, 2)
                    case ("<", ">"): (.notEqual, 2)
                    case ("<", _): (.less, 1)
                    case (">", "="): (.greaterOrEqual, 2)
                    case (">", _): (.greater, 1)
                    default: throw .unexpectedCharacter(String(character), position: start + 1)
                    }
                tokens.append(token(.comparison(op), length: length))
                index += length
                continue
            case "'", "\"":
                var text = ""
                index += 1
                while true {
                    guard index < characters.count else {
                        throw .unterminatedString(quote: String(character), position: start + 1)
                    }
                    if characters[index] == character {
                        // A doubled quote stands for one quote, as in SQL.
                        if index + 1 < characters.count, characters[index + 1] == character {
                            text.append(character)
                            index += 2
                            continue
                        }
                        break
                    }
                    text.append(characters[index])
                    index += 1
                }
                tokens.append(token(.string(text), length: index + 1 - start))
            default:
                guard isWordCharacter(character) else {
                    throw .unexpectedCharacter(String(character), position: start + 1)
                }
                while index < characters.count, isWordCharacter(characters[index]) {
                    index += 1
                }
                let word = String(characters[start..<index])
                if isNumberLiteral(word) {
                    guard let value = Double(word), value.isFinite else {
                        throw .numberOutOfRange(word, position: start + 1)
                    }
                    tokens.append(token(.number(word, value), length: index - start))
                } else {
                    tokens.append(token(.word(word), length: index - start))
                }
                continue
            }
            index += 1
        }
        return tokens
    }

    /// Letters, digits and the punctuation of names such as `poster-2019`, `params.lr` or `1e-4`.
    static func isWordCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || "_.-+/:@".contains(character)
    }

    /// Whether `word` is `[+-]?(digits[.digits?] | .digits)([eE][+-]?digits)?` in ASCII,
    /// checked by hand because `Double.init` also reads hex, `inf` and `nan`.
    static func isNumberLiteral(_ word: String) -> Bool {
        var bytes = word.utf8[...]
        func digits() -> Int {
            let count = bytes.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
            bytes = bytes.dropFirst(count)
            return count
        }
        if let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            bytes = bytes.dropFirst()
        }
        var mantissa = digits()
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            mantissa += digits()
        }
        guard mantissa > 0 else { return false }
        if let first = bytes.first, first == UInt8(ascii: "e") || first == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                bytes = bytes.dropFirst()
            }
            guard digits() > 0 else { return false }
        }
        return bytes.isEmpty
    }
}
