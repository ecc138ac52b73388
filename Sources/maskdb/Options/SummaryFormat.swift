import ArgumentParser

/// `--format text|json` of the commands that print a summary rather than a table (`audit`, `inspect`).
enum SummaryFormat: String, ExpressibleByArgument, CaseIterable {
    /// Readable lines.
    case text
    /// One JSON document.
    case json
}
