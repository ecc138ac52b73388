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
                of every mask. --where restricts it to some of the study's masks (and their models). The top \
                regions and the montage show the masks at the main setting: the λ1, λ2, β1, β2 and subjects \
                --main gives, the others those of the setting most models share (ties: the smallest). \
                Deterministic: rerunning on the same data writes the same bytes.
                """)

        @OptionGroup var store: StoreOptions
        @OptionGroup var filter: FilterOptions
        @OptionGroup var measured: MeasuredAtlasOption
        @OptionGroup var pairs: PairingOptions
        @OptionGroup(title: "Intervals") var intervals: IntervalFlags

        @Option(
            name: .customLong("main"),
            help: ArgumentHelp(
                "Fix settings of the main setting, e.g. \"lambda1=0.01 and lambda2=0.001\" (repeatable).",
                discussion: "FIELD=VALUE for lambda1, lambda2, beta1, beta2, subjects, kind, method or subject, joined by 'and' or given as several --main; the settings not given are chosen automatically.",
                valueName: "settings"))
        var main: [String] = []

        @Option(help: ArgumentHelp("The folder to write (default: Reports/<study>).", valueName: "folder"))
        var out: String?

        func validate() throws {
            try pairs.check(comparing: [.lambda1, .run, .fold])
            do {
                _ = try MainSettingRequest.parse(main)
            } catch {
                throw ValidationError("--main: \(error)")
            }
        }

        func run() throws {
            let database = try store.open()
            if let out { try StudyReportBuilder.checkFolder(out) }
            let report = try StudyReportBuilder.build(
                store: database, study: filter.study, where: try filter.maskCondition(in: database), selection: filter.expression,
                main: try MainSettingRequest.parse(main), pairing: pairs.pairing, using: pairs.fields, intervals: intervals.options, note: nil,
                atlas: measured.atlas)
            let written = try StudyReportBuilder.write(report, to: out ?? "Reports/\(report.study)")
            Output.print("wrote \(written.path) and \(written.files - 1) tables and figures beside it")
        }
    }
}
