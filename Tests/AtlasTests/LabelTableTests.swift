import Testing

@testable import Atlas

struct LabelTableTests {
    @Test func readsBIDSTablesWithCRLFBOMAndExtraColumns() throws {
        let text = "\u{FEFF}index\troi_name\troi_value\r\n0\tBackground\t0\r\n2\tB\t7\r\n1\tA\t3\r\n\r\n"
        #expect(try LabelTable.parse(text, path: "t.tsv") == [AtlasRegion(label: 3, name: "A"), AtlasRegion(label: 7, name: "B")])
    }

    @Test func missingColumnsAreNamed() {
        #expect(throws: AtlasError.badLabels(path: "t.tsv", detail: "the header line is \"label\\tname\"")) {
            try LabelTable.parse("label\tname\n1\tA\n", path: "t.tsv")
        }
    }

    @Test func duplicatesAndNonNumbersAreRefused() {
        #expect(throws: AtlasError.badLabels(path: "t.tsv", detail: "line 3: label 1 appears twice")) {
            try LabelTable.parse("roi_value\troi_name\n1\tA\n1\tB\n", path: "t.tsv")
        }
        #expect(throws: AtlasError.badLabels(path: "t.tsv", detail: "line 2: roi_value \"x\" is not a whole number")) {
            try LabelTable.parse("roi_value\troi_name\nx\tA\n", path: "t.tsv")
        }
    }
}
