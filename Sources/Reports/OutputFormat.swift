/// The formats every table-printing command offers.
public enum OutputFormat: String, Sendable, CaseIterable {
    /// Aligned columns for a terminal.
    case table
    /// A GitHub-flavoured markdown table.
    case md
    /// RFC 4180 CSV with a header row, numbers at full precision.
    case csv
    /// Tab-separated values with a header row, numbers at full precision.
    case tsv
    /// A JSON array of objects, keys in column order.
    case json
}
