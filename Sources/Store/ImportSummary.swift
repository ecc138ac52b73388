/// What an import did, row by row: what it reports, and what the audit log keeps.
public struct ImportSummary: Sendable {
    /// How one manifest row ended.
    public enum Outcome: String, Sendable { case added, replaced, unchanged, rejected }

    /// One manifest row's fate.
    public struct RowResult: Sendable {
        /// The row's line in the manifest.
        public var line: Int
        /// The file the row names (or its key, for rows without a file).
        public var path: String
        /// The file's sha256, when it was read.
        public var sha256: String?
        /// Added, replaced (`--replace`), already recorded, or rejected.
        public var outcome: Outcome
        /// Why a row was rejected, or what it replaced (`mask 3: λ1 0.1 → 0.01`).
        public var message: String?

        /// A row's fate.
        public init(line: Int, path: String, sha256: String? = nil, outcome: Outcome, message: String? = nil) {
            self.line = line
            self.path = path
            self.sha256 = sha256
            self.outcome = outcome
            self.message = message
        }
    }

    /// Every row, in manifest order.
    public var rows: [RowResult] = []
    /// True when nothing was written because it was a dry run: what it would have done.
    public var dryRun = false
    /// True when nothing was written because `--strict` met a rejected row.
    public var strictAbort = false
    /// The studies the manifest's rows go to.
    public var studies: [String] = []
    /// How many rows read and measured their file themselves (a file listed on several
    /// rows with the same atlas and semantics is read once): what tests check.
    public var filesRead = 0

    /// An empty summary.
    public init() {}

    /// Rows newly recorded.
    public var added: Int { rows.count { $0.outcome == .added } }
    /// Rows that replaced a recorded record (`--replace`).
    public var replaced: Int { rows.count { $0.outcome == .replaced } }
    /// Rows that were already recorded.
    public var unchanged: Int { rows.count { $0.outcome == .unchanged } }
    /// Rejected rows, in manifest order.
    public var rejected: [RowResult] { rows.filter { $0.outcome == .rejected } }

    /// How the audit log sums the import up: `ok`, `partial` (some rows rejected) or
    /// `rejected` (nothing written).
    public var outcome: String { strictAbort ? "rejected" : rejected.isEmpty ? "ok" : "partial" }
}
