import ArgumentParser
import CLISupport
import Study

extension MaskDB {
    /// `maskdb inspect`: what a NIfTI file holds, as nibabel would read it.
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "inspect",
            abstract: "Summarize a NIfTI file: format, grid, affine, scaling and value statistics."
        )

        /// The NIfTI file.
        @Argument(help: ArgumentHelp("A NIfTI-1 or NIfTI-2 file (.nii or .nii.gz).", valueName: "file"))
        var file: String

        /// Print one JSON object instead of the summary.
        @Flag(help: "Print one JSON object instead of the readable summary.")
        var json = false

        func run() throws {
            let summary = try ImageSummary(file: file)
            Output.print(json ? summary.json.rendered(pretty: true) : summary.text)
        }
    }
}
