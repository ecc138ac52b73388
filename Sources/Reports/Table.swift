/// A table as commands print it: typed columns and rows of cells, rendered in any `OutputFormat`.
public struct Table: Equatable, Sendable {
    /// A column: its name and how its numbers read in human formats.
    public struct Column: Equatable, Sendable {
        /// The header (CSV header cell, JSON key).
        public var name: String
        /// Decimals for numbers in `table` and `md` (nil: as exact as in CSV);
        /// machine formats always print full precision.
        public var decimals: Int?

        /// A column.
        public init(_ name: String, decimals: Int? = 4) {
            self.name = name
            self.decimals = decimals
        }
    }

    /// One value.
    public enum Cell: Equatable, Sendable {
        case text(String)
        case integer(Int)
        case number(Double)
        /// No value: an empty CSV cell, JSON null.
        case empty
    }

    /// The columns, in order.
    public var columns: [Column]
    /// The rows, one cell per column.
    public var rows: [[Cell]]

    /// A table.
    public init(columns: [Column], rows: [[Cell]] = []) {
        self.columns = columns
        self.rows = rows
    }

    /// Appends a row; it must have one cell per column.
    public mutating func append(_ row: [Cell]) {
        precondition(row.count == columns.count, "one cell per column")
        rows.append(row)
    }
}

extension Table.Cell {
    /// A number cell, or `empty` for nil.
    public static func number(_ value: Double?) -> Self { value.map { .number($0) } ?? .empty }
}
