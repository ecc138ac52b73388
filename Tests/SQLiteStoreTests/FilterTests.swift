@testable import StudyCore
import Store
import Testing

@testable import SQLiteStore

/// The `--where` language, parsed and rendered for SQLite: exact SQL and arguments,
/// every error message, and hostile inputs that must never reach the SQL text.
struct FilterTests {
    /// The fields these tests filter on, and the SQL each stands for.
    static let columns: [(StudyField, String)] = [
        (.fold, "models.fold"), (.run, "models.run"), (.lambda1, "masks.lambda1"), (.lambda2, "masks.lambda2"),
        (.beta1, "masks.beta1"), (.beta2, "masks.beta2"), (.subjects, "masks.subjects"), (.semantics, "masks.semantics"),
        (.study, "studies.name"), (.model, "models.name"),
    ]
    static let fields = columns.map(\.0)
    static let known = "fold, run, lambda1, lambda2, beta1, beta2, subjects, semantics, study, model"

    static func compile(_ expression: String, params: String? = "masks.params") throws(FilterError) -> SQLiteFilter {
        let parsed = try FilterExpression.parse(expression, fields: fields, parameters: params != nil)
        let sql = Dictionary(uniqueKeysWithValues: columns)
        return SQLiteFilter(parsed, column: { sql[$0]! }, parameters: params ?? "")
    }

    static func error(_ expression: String, params: String? = "masks.params") -> FilterError? {
        do {
            _ = try compile(expression, params: params)
            return nil
        } catch {
            return error
        }
    }

    @Test func allPassesEveryRow() {
        let all = SQLiteFilter(.all, column: \.name, parameters: "params")
        #expect(all.sql == "1")
        #expect(all.arguments.isEmpty)
    }

    // MARK: Comparisons

    @Test(arguments: [
        ("=", "="), ("==", "="), ("!=", "!="), ("<>", "!="),
        ("<", "<"), ("<=", "<="), (">", ">"), (">=", ">="),
    ])
    func operators(written: String, sql: String) throws {
        for expression in ["fold \(written) 3", "fold\(written)3"] {
            let filter = try Self.compile(expression)
            #expect(filter.sql == "(models.fold \(sql) ?)")
            #expect(filter.arguments == [.number(3)])
        }
    }

    @Test func inList() throws {
        let filter = try Self.compile("fold in (1, 2,3)")
        #expect(filter.sql == "(models.fold IN (?, ?, ?))")
        #expect(filter.arguments == [.number(1), .number(2), .number(3)])
        let one = try Self.compile("study in (a)")
        #expect(one.sql == "(studies.name IN (?))")
        #expect(one.arguments == [.text("a")])
    }

    @Test func notInList() throws {
        let filter = try Self.compile("semantics not in ('keep', perturb)")
        #expect(filter.sql == "(masks.semantics NOT IN (?, ?))")
        #expect(filter.arguments == [.text("keep"), .text("perturb")])
    }

    // MARK: Combining

    @Test func andBindsTighterThanOr() throws {
        let filter = try Self.compile("fold = 1 or run = 2 and lambda1 = 3")
        #expect(filter.sql == "((models.fold = ?) OR ((models.run = ?) AND (masks.lambda1 = ?)))")
        #expect(filter.arguments == [.number(1), .number(2), .number(3)])
        let other = try Self.compile("fold = 1 and run = 2 or lambda1 = 3")
        #expect(other.sql == "(((models.fold = ?) AND (models.run = ?)) OR (masks.lambda1 = ?))")
    }

    @Test func chainsOfOneOperatorStayFlat() throws {
        #expect(try Self.compile("fold = 1 or fold = 2 or fold = 3").sql
            == "((models.fold = ?) OR (models.fold = ?) OR (models.fold = ?))")
        #expect(try Self.compile("fold = 1 and run = 2 and beta1 > 0").sql
            == "((models.fold = ?) AND (models.run = ?) AND (masks.beta1 > ?))")
    }

    @Test func parenthesesGroup() throws {
        let filter = try Self.compile("(fold = 1 or run = 2) and lambda1 = 3")
        #expect(filter.sql == "(((models.fold = ?) OR (models.run = ?)) AND (masks.lambda1 = ?))")
        #expect(filter.arguments == [.number(1), .number(2), .number(3)])
        // Redundant parentheses add nothing; the user's grouping is kept.
        #expect(try Self.compile("((fold = 1))").sql == "(models.fold = ?)")
        #expect(try Self.compile("(fold = 1 or run = 2) or beta1 = 3").sql
            == "(((models.fold = ?) OR (models.run = ?)) OR (masks.beta1 = ?))")
        #expect(try Self.compile("(fold=1)and(run<=2)").sql == "((models.fold = ?) AND (models.run <= ?))")
    }

    @Test func not() throws {
        #expect(try Self.compile("not fold = 1").sql == "(NOT (models.fold = ?))")
        #expect(try Self.compile("not not fold = 1").sql == "(NOT (NOT (models.fold = ?)))")
        #expect(try Self.compile("not (fold = 1 or run = 2)").sql
            == "(NOT ((models.fold = ?) OR (models.run = ?)))")
        // `not` applies to one condition, so it binds tighter than `and`.
        #expect(try Self.compile("not fold = 1 and run = 2").sql
            == "((NOT (models.fold = ?)) AND (models.run = ?))")
        #expect(try Self.compile("fold = 1 and not run = 2").sql
            == "((models.fold = ?) AND (NOT (models.run = ?)))")
    }

    @Test func keywordsIgnoreCase() throws {
        let filter = try Self.compile("fold = 1 AND run = 2 Or NOT lambda1 IN (1) and beta1 NoT iN (2)")
        #expect(filter.sql == """
            (((models.fold = ?) AND (models.run = ?)) OR ((NOT (masks.lambda1 IN (?))) AND (masks.beta1 NOT IN (?))))
            """)
    }

    @Test func fieldNamesAreCaseSensitive() {
        #expect(Self.error("Fold = 1") == .unknownField("Fold", position: 1, known: Self.known.fieldNames + ["params.NAME"]))
    }

    @Test func whitespaceIsFree() throws {
        let filter = try Self.compile("\n\tfold\t=\n1  and\r\nrun = 2 ")
        #expect(filter.sql == "((models.fold = ?) AND (models.run = ?))")
    }

    // MARK: Values

    @Test(arguments: [
        ("'O''Brien'", "O'Brien"),
        ("\"say \"\"hi\"\"\"", "say \"hi\""),
        ("\"O'Brien\"", "O'Brien"),
        ("'say \"hi\"'", "say \"hi\""),
        ("''", ""),
        ("'two words, (and) = signs'", "two words, (and) = signs"),
        ("'and'", "and"),
        ("'Études ☃'", "Études ☃"),
        ("'3'", "3"),
    ])
    func quotedStrings(literal: String, text: String) throws {
        let filter = try Self.compile("study = \(literal)")
        #expect(filter.sql == "(studies.name = ?)")
        #expect(filter.arguments == [.text(text)])
    }

    @Test(arguments: [
        ("subjects = AD", "masks.subjects", "AD"),
        ("semantics = keep", "masks.semantics", "keep"),
        ("study = poster-2019", "studies.name", "poster-2019"),
        ("model = resnet_v2.1", "models.name", "resnet_v2.1"),
        ("model = a/b:c@d+e", "models.name", "a/b:c@d+e"),
        ("study = Études", "studies.name", "Études"),
    ])
    func bareWordsAreText(expression: String, sql: String, text: String) throws {
        let filter = try Self.compile(expression)
        #expect(filter.sql == "(\(sql) = ?)")
        #expect(filter.arguments == [.text(text)])
    }

    @Test(arguments: [
        ("3", 3.0), ("-2", -2), ("+7", 7), ("0.01", 0.01), ("1e-4", 0.0001), ("1E3", 1000),
        ("2.5e+2", 250), (".5", 0.5), ("-.25", -0.25), ("5.", 5), ("007", 7), ("0", 0),
    ])
    func numbers(literal: String, value: Double) throws {
        let filter = try Self.compile("lambda1 >= \(literal)")
        #expect(filter.sql == "(masks.lambda1 >= ?)")
        #expect(filter.arguments == [.number(value)])
    }

    @Test(arguments: ["100", "1e3", "-0.50", "+7", ".5"])
    func numbersForTextFieldsKeepTheirSpelling(literal: String) throws {
        let filter = try Self.compile("subjects = \(literal)")
        #expect(filter.arguments == [.text(literal)])
    }

    @Test(arguments: ["0x10", "-0x10", "inf", "nan", "1.2.3", "1e", "1_000", "abc"])
    func numberLikeWordsAreText(word: String) throws {
        #expect(try Self.compile("study = \(word)").arguments == [.text(word)])
        #expect(Self.error("fold = \(word)") == .numberExpected(field: "fold", value: word, position: 8))
        // Manifest cells read numbers by the same rule: a parameter keeps such a word as text.
        #expect(Parameters.Value(cell: word) == .text(word))
    }

    // MARK: params.NAME

    @Test func parameterWithNumber() throws {
        let filter = try Self.compile("params.lr <= 0.01")
        #expect(filter.sql == "(maskdb_number(json_extract(masks.params, ?)) <= ?)")
        #expect(filter.arguments == [.text("$.\"lr\""), .number(0.01)])
    }

    @Test func parameterWithText() throws {
        let word = try Self.compile("params.optimizer = adam")
        #expect(word.sql == "(CAST(json_extract(masks.params, ?) AS TEXT) = ?)")
        #expect(word.arguments == [.text("$.\"optimizer\""), .text("adam")])
        let quoted = try Self.compile("params.optimizer != 'sgd'")
        #expect(quoted.sql == "(CAST(json_extract(masks.params, ?) AS TEXT) != ?)")
        #expect(quoted.arguments == [.text("$.\"optimizer\""), .text("sgd")])
    }

    @Test func parameterLists() throws {
        let numbers = try Self.compile("params.seed in (1, 2)")
        #expect(numbers.sql == "(maskdb_number(json_extract(masks.params, ?)) IN (?, ?))")
        #expect(numbers.arguments == [.text("$.\"seed\""), .number(1), .number(2)])
        // One text value makes the whole list text, numbers as written.
        let mixed = try Self.compile("params.seed not in (1, x, 2.50)")
        #expect(mixed.sql == "(CAST(json_extract(masks.params, ?) AS TEXT) NOT IN (?, ?, ?))")
        #expect(mixed.arguments == [.text("$.\"seed\""), .text("1"), .text("x"), .text("2.50")])
    }

    @Test(arguments: ["a", "A_1", "_x", "9", "a.b", "a-b", "a.b-c_d", "lr."])
    func parameterNames(name: String) throws {
        let filter = try Self.compile("params.\(name) = 1 and fold = 2")
        #expect(filter.sql == "((maskdb_number(json_extract(masks.params, ?)) = ?) AND (models.fold = ?))")
        #expect(filter.arguments == [.text("$.\"\(name)\""), .number(1), .number(2)])
    }

    @Test(arguments: ["params.", "params.-x", "params..x", "params.a+b", "params.a/b", "params.é"])
    func badParameterNames(field: String) {
        #expect(Self.error("\(field) = 1") == .badParameterName(field, position: 1))
    }

    @Test func parametersNeedAColumn() {
        let error = Self.error("params.lr = 1", params: nil)
        #expect(error == .unknownField("params.lr", position: 1, known: Self.known.fieldNames))
        #expect(error?.description == "unknown field 'params.lr' at position 1; known fields: \(Self.known)")
    }

    // MARK: Errors

    static let errors: [(String, FilterError, String)] = [
        ("", .emptyExpression, "empty --where expression; write a condition such as fold = 1"),
        (" \t\n ", .emptyExpression, "empty --where expression; write a condition such as fold = 1"),
        ("fodl = 1", .unknownField("fodl", position: 1, known: known.fieldNames + ["params.NAME"]),
         "unknown field 'fodl' at position 1; did you mean 'fold'? known fields: \(known), params.NAME"),
        ("fold = 1 and studies.name = x",
         .unknownField("studies.name", position: 14, known: known.fieldNames + ["params.NAME"]),
         "unknown field 'studies.name' at position 14; known fields: \(known), params.NAME"),
        ("params.-x = 1", .badParameterName("params.-x", position: 1),
         "bad parameter field 'params.-x' at position 1; write params.NAME with NAME made of letters, digits, '_', '.' and '-', not starting with '.' or '-'"),
        ("study = 'abc", .unterminatedString(quote: "'", position: 9),
         "unterminated string starting at position 9; end it with a matching ' (write '' for a ' inside)"),
        ("study = \"ab\"\"c", .unterminatedString(quote: "\"", position: 9),
         "unterminated string starting at position 9; end it with a matching \" (write \"\" for a \" inside)"),
        ("study = 'a\nb", .unterminatedString(quote: "'", position: 9),
         "unterminated string starting at position 9; end it with a matching ' (write '' for a ' inside)"),
        ("fold = 1; run = 2", .unexpectedCharacter(";", position: 9),
         "unexpected character ';' at position 9; put text containing it in quotes"),
        ("fold ! 1", .unexpectedCharacter("!", position: 6),
         "unexpected character '!' at position 6; put text containing it in quotes"),
        ("fold = 1e999", .numberOutOfRange("1e999", position: 8),
         "number '1e999' at position 8 is out of range; use a finite number"),
        ("fold = 1 or 1 = 1", .unexpectedToken("1", position: 13, expected: "a field name, 'not' or '('"),
         "unexpected '1' at position 13; expected a field name, 'not' or '('"),
        ("'fold' = 1", .unexpectedToken("'fold'", position: 1, expected: "a field name, 'not' or '('"),
         "unexpected 'fold' at position 1; expected a field name, 'not' or '('"),
        ("and fold = 1", .unexpectedToken("and", position: 1, expected: "a field name, 'not' or '('"),
         "unexpected 'and' at position 1; expected a field name, 'not' or '('"),
        ("fold like 1",
         .unexpectedToken("like", position: 6, expected: "an operator (= != < <= > >= in, not in) after 'fold'"),
         "unexpected 'like' at position 6; expected an operator (= != < <= > >= in, not in) after 'fold'"),
        ("fold not 3", .unexpectedToken("3", position: 10, expected: "'in' after 'not'"),
         "unexpected '3' at position 10; expected 'in' after 'not'"),
        ("fold in 1", .unexpectedToken("1", position: 9, expected: "'(' after 'in'"),
         "unexpected '1' at position 9; expected '(' after 'in'"),
        ("fold in (1 2)", .unexpectedToken("2", position: 12, expected: "',' or ')' to close the list at position 9"),
         "unexpected '2' at position 12; expected ',' or ')' to close the list at position 9"),
        ("(fold = 1 run = 2)", .unexpectedToken("run", position: 11, expected: "'and', 'or' or ')'"),
         "unexpected 'run' at position 11; expected 'and', 'or' or ')'"),
        ("fold = 1 and", .unexpectedEnd(after: "and", position: 10, expected: "a field name, 'not' or '('"),
         "expression ends too early after 'and' at position 10; expected a field name, 'not' or '('"),
        ("not", .unexpectedEnd(after: "not", position: 1, expected: "a field name, 'not' or '('"),
         "expression ends too early after 'not' at position 1; expected a field name, 'not' or '('"),
        ("fold", .unexpectedEnd(after: "fold", position: 1, expected: "an operator (= != < <= > >= in, not in)"),
         "expression ends too early after 'fold' at position 1; expected an operator (= != < <= > >= in, not in)"),
        ("fold not", .unexpectedEnd(after: "not", position: 6, expected: "'in' after 'not'"),
         "expression ends too early after 'not' at position 6; expected 'in' after 'not'"),
        ("fold in", .unexpectedEnd(after: "in", position: 6, expected: "'(' to start the list"),
         "expression ends too early after 'in' at position 6; expected '(' to start the list"),
        ("fold in (1, 2", .unexpectedEnd(after: "2", position: 13, expected: "',' or ')' to close the list at position 9"),
         "expression ends too early after '2' at position 13; expected ',' or ')' to close the list at position 9"),
        ("(fold = 1", .unexpectedEnd(after: "1", position: 9, expected: "')' to close the '(' at position 1"),
         "expression ends too early after '1' at position 9; expected ')' to close the '(' at position 1"),
        ("fold =", .missingValue(after: "=", position: 6),
         "missing value after '=' at position 6; give a number, a word or a quoted string"),
        ("fold = and run = 1", .missingValue(after: "=", position: 6),
         "missing value after '=' at position 6; give a number, a word or a quoted string"),
        ("fold >= )", .missingValue(after: ">=", position: 6),
         "missing value after '>=' at position 6; give a number, a word or a quoted string"),
        ("fold in (1, )", .missingValue(after: ",", position: 11),
         "missing value after ',' at position 11; give a number, a word or a quoted string"),
        ("fold in (, 1)", .missingValue(after: "(", position: 9),
         "missing value after '(' at position 9; give a number, a word or a quoted string"),
        ("fold in ()", .emptyList("fold", position: 9),
         "empty in list for 'fold' at position 9; give at least one value, e.g. fold in (1, 2)"),
        ("fold = abc", .numberExpected(field: "fold", value: "abc", position: 8),
         "'fold' is a number field, but 'abc' at position 8 is not a number; compare it with a number, e.g. fold = 1"),
        ("run in (1, '2')", .numberExpected(field: "run", value: "'2'", position: 12),
         "'run' is a number field, but '2' at position 12 is not a number; compare it with a number, e.g. run = 1"),
        ("fold = 1 run = 2", .trailingInput("run", position: 10),
         "unexpected 'run' at position 10 after a complete condition; join conditions with 'and' or 'or'"),
        ("fold = 1 (run = 2)", .trailingInput("(", position: 10),
         "unexpected '(' at position 10 after a complete condition; join conditions with 'and' or 'or'"),
        ("fold = 1)", .unmatchedParenthesis(position: 9),
         "unmatched ')' at position 9; remove it or add a matching '('"),
        ("fold = 1 'a\nb'", .trailingInput("'a\nb'", position: 10),
         "unexpected 'a\\nb' at position 10 after a complete condition; join conditions with 'and' or 'or'"),
        ("fold = 1 '\(String(repeating: "x", count: 50))'",
         .trailingInput("'\(String(repeating: "x", count: 50))'", position: 10),
         "unexpected '\(String(repeating: "x", count: 36))... at position 10 after a complete condition; join conditions with 'and' or 'or'"),
        ("fold = 1 and study = \u{7}", .unexpectedCharacter("\u{7}", position: 22),
         "unexpected character '\\u{7}' at position 22; put text containing it in quotes"),
        ("études = 1", .unknownField("études", position: 1, known: known.fieldNames + ["params.NAME"]),
         "unknown field 'études' at position 1; known fields: \(known), params.NAME"),
        // Positions count characters, not bytes.
        ("study = é and fold", .unexpectedEnd(after: "fold", position: 15, expected: "an operator (= != < <= > >= in, not in)"),
         "expression ends too early after 'fold' at position 15; expected an operator (= != < <= > >= in, not in)"),
    ]

    @Test(arguments: errors)
    func errorMessages(expression: String, error: FilterError, message: String) {
        let thrown = Self.error(expression)
        #expect(thrown == error)
        #expect(thrown?.description == message)
        #expect(thrown?.description.contains("\n") == false)
    }

    @Test func nestingIsLimited() throws {
        let limit = FilterParser.maximumDepth
        let deep = String(repeating: "(", count: limit) + "fold = 1" + String(repeating: ")", count: limit)
        #expect(try Self.compile(deep).sql == "(models.fold = ?)")
        let tooDeep = "(" + deep + ")"
        #expect(Self.error(tooDeep) == .tooDeep(position: limit + 1, limit: limit))
        #expect(Self.error(tooDeep)?.description
            == "expression nests deeper than 16 levels of '(' and 'not' at position 17; simplify it")
        let nots = String(repeating: "not ", count: limit + 1) + "fold = 1"
        #expect(Self.error(nots) == .tooDeep(position: 4 * limit + 1, limit: limit))
        // Siblings do not add up: only what is open at once counts.
        let wide = Array(repeating: deep, count: 3).joined(separator: " or ")
        #expect(try Self.compile(wide).arguments.count == 3)
    }

    @Test func valuesAreLimited() throws {
        let limit = FilterParser.maximumArguments
        let list = (1...limit).map(String.init).joined(separator: ",")
        #expect(try Self.compile("fold in (\(list))").arguments.count == limit)
        let error = Self.error("fold in (\(list),0)")
        #expect(error == .tooManyValues(position: 10 + list.count + 1, limit: limit))
        #expect(error?.description
            == "expression has more than 500 values at position \(10 + list.count + 1); use fewer conditions or shorter in lists")
    }

    // MARK: Injection

    /// Text the compiler may write: field SQL from the table, the params
    /// expressions, keywords, operators, parentheses, commas and placeholders.
    static func safeSQL() throws -> Regex<AnyRegexOutput> {
        let pieces = columns.map(\.1) + [
            "CAST(json_extract(masks.params, ?) AS TEXT)", "maskdb_number(json_extract(masks.params, ?))",
            " NOT IN ", " IN ", " AND ", " OR ", "NOT ", " != ", " <= ", " >= ", " = ", " < ", " > ",
            "(", ")", ", ", "?",
        ]
        let escaped = pieces.sorted { $0.count > $1.count }.map { piece in
            piece.map { "\\^$.|?*+()[]{}".contains($0) ? "\\\($0)" : String($0) }.joined()
        }
        return try Regex("(?:" + escaped.joined(separator: "|") + ")+")
    }

    @Test(arguments: [
        "fold = 1; DROP TABLE masks",
        "fold = 1 or 1=1",
        "fold = 1 or fold = 1 = 1",
        "study = 'x'' OR ''1''=''1'",
        "study = \"x\"\" OR \"\"1\"\"=\"\"1\"",
        "study = 'x' OR '1'='1'",
        "params.a') --",
        "params.a = 1) OR (1=1",
        "params.a\"] = 1",
        "params.a = 1 and params.\"b\" = 2",
        "study = 'a' -- comment",
        "study = a--",
        "model = x/* comment */",
        "study = Robert'); DROP TABLE students;--",
        "study = 'Robert''); DROP TABLE students;--'",
        "fold = 1 union select name from sqlite_master",
        "semantics = keep and study in ('a', 'b'' or 1=1 --')",
        "models.fold = 1",
        "fold = (select 1)",
        "fold = 1 and study = '\u{0}'",
        "study = '\\'' or 1=1",
        "subjects = 1e3 or subjects in (\"); --\", '*/')",
    ])
    func injectionNeverReachesTheSQL(expression: String) throws {
        let safeSQL = try Self.safeSQL()
        do {
            let filter = try Self.compile(expression)
            #expect(filter.sql.wholeMatch(of: safeSQL) != nil, "\(filter.sql)")
            #expect(filter.sql.filter { $0 == "?" }.count == filter.arguments.count)
        } catch {
            #expect(!error.description.isEmpty)
        }
    }

    @Test func hostileStringsArriveAsValues() throws {
        let filter = try Self.compile("study = 'x'' OR ''1''=''1' or model = 'a\"); DROP TABLE masks; --'")
        #expect(filter.sql == "((studies.name = ?) OR (models.name = ?))")
        #expect(filter.arguments == [.text("x' OR '1'='1"), .text("a\"); DROP TABLE masks; --")])
    }

    @Test func parameterNamesAreBoundNotSpliced() throws {
        let filter = try Self.compile("params.x.y-z = 1")
        #expect(!filter.sql.contains("x.y-z"))
        #expect(filter.arguments.first == .text("$.\"x.y-z\""))
    }
}

extension String {
    /// The comma-separated names of a field list, as an array.
    fileprivate var fieldNames: [String] { split(separator: ", ").map(String.init) }
}
