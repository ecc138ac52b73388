import Analysis
import ArgumentParser
import Atlas
import DemoStudy
import Foundation
import Reports

extension MaskDB {
    /// `maskdb bench`: how fast import and the queries are on this machine.
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bench",
            abstract: "Time import and every query on synthetic studies, as separate processes (medians).",
            discussion: """
                Makes N real-size noisy masks (121 x 145 x 121 float32 .nii.gz, about 6 MB each) in a scratch \
                folder, times 'maskdb import masks' into a fresh database (hash, decode, validate, densities, \
                blob and densities stored), and the decompression floor ('libdeflate-gunzip -c', when \
                installed). Then times the queries and the report on a study of --query-masks small masks. \
                Prints medians, throughput and each process's peak memory.
                """)

        @Option(help: "Real-size masks to import.")
        var masks = 28

        @Option(help: "Decoding jobs for the import (default: the machine's cores).")
        var jobs = ProcessInfo.processInfo.activeProcessorCount

        @Option(help: "Runs per measurement; the median is reported.")
        var runs = 5

        @Option(help: "Masks in the study the queries run on.")
        var queryMasks = 5000

        @Option(help: ArgumentHelp("Keep the synthetic studies in this folder (default: a scratch folder, removed).", valueName: "folder"))
        var keep: String?

        @OptionGroup var output: FormatOptions

        func validate() throws {
            guard masks >= 1, runs >= 1, queryMasks >= 1 else {
                throw ValidationError("'--masks', '--runs' and '--query-masks' take whole numbers of at least 1")
            }
            try JobsLimit.check(jobs)
        }

        func run() throws {
            let scratch = keep ?? FileManager.default.temporaryDirectory.appendingPathComponent("maskdb-bench-\(UUID().uuidString.prefix(8))").path
            defer { if keep == nil { try? FileManager.default.removeItem(atPath: scratch) } }
            let maskdb = ChildProcess.currentExecutable
            var table = Table(columns: [
                .init("step"), .init("masks"), .init("runs"), .init("median_s", decimals: 3), .init("masks_per_s", decimals: 1),
                .init("peak_rss_mb", decimals: 0),
            ])
            let errors = scratch + "/step-errors.txt"
            /// The failure of a step, with the last line the child said (its file goes with the scratch folder).
            func failure(_ step: String, status: Int32) -> CommandFailure {
                let said = (try? String(contentsOfFile: errors, encoding: .utf8))?.split(separator: "\n").last.map { ": \($0)" } ?? ""
                return CommandFailure("bench step '\(step)' failed (exit status \(status))\(said)")
            }
            func measure(_ step: String, masks: Int, ownMemory: Bool = true, _ command: () throws -> ChildProcess.Measurement) throws {
                var times: [Double] = [], peak = 0
                for _ in 0..<runs {
                    let m = try command()
                    guard m.status == 0 else { throw failure(step, status: m.status) }
                    times.append(m.seconds)
                    peak = max(peak, m.peakRSSBytes)
                }
                let median = times.sorted()[times.count / 2]
                table.append([.text(step), .integer(masks), .integer(runs), .number(median), .number(Double(masks) / median),
                              ownMemory ? .number(Double(peak) / 1_048_576) : .empty])
            }

            Output.error("writing \(masks) real-size masks to \(scratch)...")
            let real = try BenchStudy.writeRealSize(count: masks, to: scratch + "/real", atlas: try Atlas.aal2(), jobs: jobs)
            let database = scratch + "/real.sqlite"
            for count in jobs == 1 ? [1] : [jobs, 1] {
                try measure("import masks (--jobs \(count))", masks: masks) {
                    Self.removeDatabase(database)
                    return try ChildProcess.run(maskdb, ["import", "masks", real, "--db", database, "--jobs", "\(count)"], errors: errors)
                }
            }
            if let gunzip = Self.onPath("libdeflate-gunzip") {
                let files = (0..<masks).map { "\(scratch)/real/mask-\($0).nii.gz" }
                try measure("libdeflate-gunzip -c (1 core, floor)", masks: masks, ownMemory: false) {
                    // The paths as arguments ("$0" is the tool), never spliced into the script.
                    try ChildProcess.run("/bin/sh", ["-c", "for f; do \"$0\" -c \"$f\" > /dev/null || exit 1; done", gunzip] + files, errors: errors)
                }
            }

            Output.error("writing \(queryMasks) small masks for the queries...")
            let small = try BenchStudy.writeSmall(count: queryMasks, to: scratch + "/small")
            let queries = scratch + "/queries.sqlite"
            Self.removeDatabase(queries)  // a kept folder's earlier study would add to this one
            let imported = try ChildProcess.run(maskdb, ["import", "masks", small, "--db", queries], errors: errors)
            guard imported.status == 0 else { throw failure("import masks (the query study)", status: imported.status) }
            let steps: [(label: String, arguments: [String])] = [
                ("similarity --by lambda1", ["similarity", "--by", "lambda1"]), ("similarity --by run", ["similarity", "--by", "run"]),
                ("robustness", ["robustness"]), ("top-rois --merge-hemispheres", ["top-rois", "--merge-hemispheres"]),
                ("grid", ["grid"]), ("masks --format csv", ["masks", "--format", "csv"]),
                ("report", ["report", "--out", scratch + "/report"]),
            ]
            for step in steps {
                try measure(step.label, masks: queryMasks) {
                    try ChildProcess.run(maskdb, step.arguments + ["--db", queries], errors: errors)
                }
            }
            Output.print(table.rendered(as: output.format))
        }

        static func removeDatabase(_ path: String) {
            // -wal and -shm: left beside a kept folder's database by versions that used WAL.
            for suffix in ["", "-journal", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }

        static func onPath(_ name: String) -> String? {
            (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
                .map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        }
    }
}
