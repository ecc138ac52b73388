import ArgumentParser
import Reports

extension OutputFormat: ExpressibleByArgument {}

/// `--format`, shared by every table-printing command.
struct FormatOptions: ParsableArguments {
    /// How to print the table.
    @Option(help: "Output format: \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: OutputFormat = .table
}
