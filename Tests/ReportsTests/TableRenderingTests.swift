import Formatting
import Testing

@testable import Reports

struct TableRenderingTests {
    let table = Table(
        columns: [.init("label"), .init("name"), .init("density", decimals: 3)],
        rows: [
            [.integer(7), .text("a, \"quoted\" name"), .number(0.1234567891234)],
            [.integer(12), .text("plain"), .empty],
        ])

    @Test func csvQuotesAndKeepsFullPrecision() {
        #expect(table.rendered(as: .csv) == "label,name,density\n7,\"a, \"\"quoted\"\" name\",0.1234567891234\n12,plain,\n")
    }

    @Test func tsvHasNoQuoting() {
        #expect(table.rendered(as: .tsv) == "label\tname\tdensity\n7\ta, \"quoted\" name\t0.1234567891234\n12\tplain\t\n")
    }

    @Test func jsonIsAnArrayOfObjectsInColumnOrder() {
        #expect(table.rendered(as: .json)
            == "[{\"label\":7,\"name\":\"a, \\\"quoted\\\" name\",\"density\":0.1234567891234},{\"label\":12,\"name\":\"plain\",\"density\":null}]\n")
    }

    @Test func markdownRightAlignsNumbers() {
        #expect(table.rendered(as: .md) == """
            | label | name | density |
            |---:|---|---:|
            | 7 | a, "quoted" name | 0.123 |
            | 12 | plain | - |

            """)
    }

    @Test func tableAlignsColumns() {
        #expect(table.rendered(as: .table) == """
            label  name              density
                7  a, "quoted" name    0.123
               12  plain                   -

            """)
    }

    @Test func numbersReadBackExactly() {
        #expect(NumberText.exact(0.1) == "0.1")
        #expect(NumberText.exact(3) == "3")
        #expect(NumberText.exact(1e-7) == "1e-07")
        #expect(Double(NumberText.exact(0.012345678912345678)) == 0.012345678912345678)
        #expect(NumberText.fixed(-0.00001, decimals: 4) == "0.0000")
        #expect(NumberText.fixed(2.5, decimals: 2) == "2.50")
    }

    @Test func jsonEscapesControlCharactersAndDropsNonFiniteNumbers() {
        let value = JSONValue.object([("a\tb", .string("line\nnext\u{1}")), ("x", .number(.nan))])
        #expect(value.rendered() == "{\"a\\tb\":\"line\\nnext\\u0001\",\"x\":null}")
    }
}
