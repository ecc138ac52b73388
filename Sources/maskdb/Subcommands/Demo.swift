import Import
import Store
import StudyCore
import ArgumentParser
import Atlas
import CLISupport
import DemoStudy
import Foundation
import SQLiteStore
import Study

extension MaskDB {
    /// `maskdb demo`: a synthetic study, imported and reported end to end.
    struct Demo: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "demo",
            abstract: "Build a synthetic 5-fold x 5-run study, import it as a user would, and write its report.",
            discussion: """
                Writes real-size masks (121 x 145 x 121 float32 .nii.gz on the AAL2 grid), model, mask and \
                evaluation manifests to a scratch folder, imports them with the same code as 'maskdb import', \
                and writes the report (default Reports/demo/). The study is synthetic and says so; the same \
                command always writes the same report.
                """)

        @Option(help: ArgumentHelp("The database to import into (default: a new one in the scratch folder).", valueName: "path"))
        var db: String?

        @Option(help: ArgumentHelp("The report folder.", valueName: "folder"))
        var out = "Reports/demo"

        func run() throws {
            // What could refuse the results, checked before the minutes of work that make them.
            try StudyReportBuilder.checkFolder(out)
            if let db { try SQLiteStore.checkPath(db, create: true) }
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("maskdb-demo-\(UUID().uuidString.prefix(8))").path
            // The database keeps every file it imports: the masks and manifests go when it is done,
            // and the scratch folder too unless it holds the database.
            let files = scratch + "/files"
            defer { try? FileManager.default.removeItem(atPath: db == nil ? files : scratch) }
            let progress = ProgressBar(label: "writing masks")
            let manifests = try DemoStudy.write(to: files, atlas: try Atlas.aal2()) { progress.update($0, $1) }
            let database = try SQLiteStore.open(path: db ?? scratch + "/demo.sqlite", create: true)
            let command = InvocationText.current
            for (noun, manifest, importer) in [
                ("models", manifests.models, database.importModels),
                ("masks", manifests.masks, database.importMasks),
                ("evaluations", manifests.evaluations, database.importEvaluations),
            ] as [(String, String, (String, ImportOptions) throws -> ImportSummary)] {
                let bar = ProgressBar(label: "importing \(noun)")
                let summary = try importer(manifest, ImportOptions(study: "demo", strict: true, command: command) { bar.update($0, $1) })
                guard !summary.strictAbort else {
                    throw MaskDBError.demoRejected(noun: noun, message: summary.rejected.first?.message ?? "")
                }
            }
            let report = try StudyReportBuilder.build(
                store: database, study: "demo",
                note: "This study is synthetic: maskdb demo generated its models, masks and evaluations from fixed seeds to show what a report looks like. None of its numbers are results.")
            let path = try StudyReportBuilder.write(report, to: out).path
            Output.print("""
                wrote \(path) (synthetic demo study: \(report.modelCount) models, \(report.maskCount) masks, \(report.evaluationCount) evaluations)
                database: \(database.path)
                """)
        }
    }
}
