import ArgumentParser

/// The `maskdb` command: a results database for perturbation-mask robustness studies.
@main
struct MaskDB: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "maskdb",
        abstract: "Record, measure and compare perturbation masks of a 3D CNN study.",
        version: "0.1.0",
        subcommands: [
            Init.self, Import.self, Masks.self, Models.self, Densities.self, Similarity.self, Robustness.self,
            TopROIs.self, Grid.self, Report.self, Plot.self, Demo.self, Bench.self, Audit.self, Export.self, Verify.self, SQL.self, Inspect.self,
        ]
    )

    static func main() {
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            ErrorReport.exit(reporting: error)
        }
        do {
            try command.run()
        } catch {
            // A usage error found while running is explained with that command's usage.
            ErrorReport.exit(reporting: error, in: type(of: command))
        }
    }
}
