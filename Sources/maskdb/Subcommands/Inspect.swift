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

        /// Text or JSON (default text).
        @Option(help: "Output format: text or json (one JSON object).")
        var format: SummaryFormat?

        /// What `--format json` was before every command took `--format`; kept for scripts.
        @Flag(help: .hidden)
        var json = false

        func validate() throws {
            if json, let format, format != .json {
                throw ValidationError("'--json' is '--format json'; give one of them")
            }
        }

        func run() throws {
            let summary = try ImageSummary(file: file)
            Output.print(json || format == .json ? summary.json.rendered(pretty: true) : summary.text)
        }
    }
}
