import ArgumentParser
import CLISupport
import SQLiteStore
import Study

extension MaskDB {
    /// `maskdb report`: the study's tables as markdown and CSV.
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: "Write a study's report: report.md with the poster's tables, and each table as CSV.",
            discussion: """
                Sections: the study, model performance, the λ1 x λ2 grid search, similarity across λ1, CNN \
                robustness (inter-runs and inter-folds), the top regions (hemispheres merged) and the provenance \
                of every mask. Deterministic: rerunning on the same data writes the same bytes.
                """)

        @OptionGroup var store: StoreOptions

        @Option(help: "The study (default: the database's only study).")
        var study: String?

        @Option(help: ArgumentHelp("The folder to write (default: Reports/<study>).", valueName: "folder"))
        var out: String?

        func run() throws {
            let database = try store.open()
            if let out { try StudyReportBuilder.checkFolder(out) }
            let report = try StudyReportBuilder.build(store: database, study: study, note: nil)
            let written = try StudyReportBuilder.write(report, to: out ?? "Reports/\(report.study)")
            Output.print("wrote \(written.path) and \(written.files - 1) tables and figures beside it")
        }
    }
}
