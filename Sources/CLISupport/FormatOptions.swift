import ArgumentParser
import Reports

extension OutputFormat: ExpressibleByArgument {}

/// `--format`, shared by every table-printing command.
public struct FormatOptions: ParsableArguments {
    /// How to print the table.
    @Option(help: "Output format: \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    public var format: OutputFormat = .table

    /// No option given: tables.
    public init() {}
}
