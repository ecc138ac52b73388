import ArgumentParser
import CLISupport

/// The `maskdb` command: a results database for perturbation-mask robustness studies.
@main
struct MaskDB: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "maskdb",
        abstract: "Record, measure and compare perturbation masks of a 3D CNN study.",
        version: versionText,
        subcommands: [
            Init.self, Import.self, Merge.self, Masks.self, Models.self, Evaluations.self, Densities.self, AtlasCommand.self, Atlases.self, Measure.self, Similarity.self, Robustness.self,
            TopROIs.self, Grid.self, Report.self, Plot.self, Demo.self, Audit.self, Rm.self, GC.self, Export.self, Verify.self, SQL.self, Inspect.self,
        ]
    )

    /// Every error line, usage errors' too, starts so (ArgumentParser's hook for its "Error: ").
    static var _errorPrefix: String { "maskdb: error: " }

    static func main() {
        ErrorReport.main(Self.self)
    }
}
