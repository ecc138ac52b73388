import Testing

@testable import Reports

/// `TableStream` (what `maskdb sql` prints through): the same text as `rendered(as:)`,
/// written as rows arrive instead of at the end.
struct TableStreamTests {
    let table = Table(
        columns: [.init("label"), .init("name"), .init("density", decimals: 3)],
        rows: [
            [.integer(7), .text("a, \"quoted\" name"), .number(0.1234567891234)],
            [.integer(12), .text("plain"), .empty],
        ])

    func streamed(_ table: Table, as format: OutputFormat, written: ((Int, String) -> Void)? = nil) -> String {
        var text = ""
        var stream = TableStream(columns: table.columns, format: format) { text += $0 }
        for (index, row) in table.rows.enumerated() {
            stream.append(row)
            written?(index, text)
        }
        stream.finish()
        return text
    }

    @Test(arguments: OutputFormat.allCases) func aStreamedTablePrintsAsTheWholeOne(format: OutputFormat) {
        #expect(streamed(table, as: format) == table.rendered(as: format))
        #expect(streamed(Table(columns: table.columns), as: format) == Table(columns: table.columns).rendered(as: format))
    }

    @Test func csvWritesEachRowAsItComes() {
        _ = streamed(table, as: .csv) { index, text in
            #expect(text.split(separator: "\n").count == index + 2)  // the header and every row so far
        }
    }

    @Test func alignedTablesLayOutFromTheirFirstRowsThenStream() {
        let limit = TableStream.layoutRows
        var long = Table(columns: [.init("n", decimals: nil)])
        for n in 0..<limit { long.append([.integer(n)]) }
        #expect(streamed(long, as: .table) == long.rendered(as: .table))
        long.append([.integer(123_456)])  // wider than the layout: its line alone is longer
        var printedAtLimit = ""
        let text = streamed(long, as: .table) { index, written in if index == limit - 1 { printedAtLimit = written } }
        #expect(printedAtLimit.split(separator: "\n").count == limit + 1)
        #expect(text.hasSuffix("\n999\n123456\n"))
    }
}
