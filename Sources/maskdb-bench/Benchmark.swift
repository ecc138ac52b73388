import Atlas
import CLISupport
import DemoStudy
import Foundation
import NIfTI
import Reports
import Store
import StudyCore

/// The benchmark's steps, each timed as separate `maskdb` processes, `runs` times.
struct Benchmark {
    var masks: Int
    var jobs: Int
    var runs: Int
    var queryMasks: Int
    /// How the query study's masks are laid out over settings.
    var layout: BenchStudy.Layout = .small
    /// The folder to keep the studies in; nil: a scratch folder, removed.
    var keep: String?

    /// Writes the studies, times every step and returns one row per step.
    func run() throws -> Table {
        let maskdb = ((ChildProcess.currentExecutable as NSString).deletingLastPathComponent as NSString).appendingPathComponent("maskdb")
        guard FileManager.default.isExecutableFile(atPath: maskdb) else { throw BenchError.noMaskDB(path: maskdb) }
        let scratch = keep ?? FileManager.default.temporaryDirectory.appendingPathComponent("maskdb-bench-\(UUID().uuidString.prefix(8))").path
        defer { if keep == nil { try? FileManager.default.removeItem(atPath: scratch) } }
        var table = Table(columns: [
            .init("step"), .init("masks"), .init("runs"), .init("median_s", decimals: 3), .init("masks_per_s", decimals: 1),
            .init("peak_rss_mb", decimals: 0), .init("file_mb_per_s", decimals: 1),
        ])
        let errors = scratch + "/step-errors.txt"
        /// The failure of a step, with the last line the child said (its file goes with the scratch folder).
        func failure(_ step: String, status: Int32) -> BenchError {
            let said = (try? String(contentsOfFile: errors, encoding: .utf8))?.split(separator: "\n").last.map(String.init)
            return BenchError.stepFailed(step: step, status: status, said: said)
        }
        /// Times `command` `runs` times; `bytes`: the files it reads, for their throughput.
        func measure(_ step: String, masks: Int, bytes: Int? = nil, ownMemory: Bool = true, _ command: () throws -> ChildProcess.Measurement) throws {
            var times: [Double] = [], peak = 0
            for _ in 0..<runs {
                let m = try command()
                guard m.status == 0 else { throw failure(step, status: m.status) }
                times.append(m.seconds)
                peak = max(peak, m.peakRSSBytes)
            }
            let median = times.sorted()[times.count / 2]
            table.append([.text(step), .integer(masks), .integer(runs), .number(median), .number(Double(masks) / median),
                          ownMemory ? .number(Double(peak) / 1_048_576) : .empty, bytes.map { .number(Double($0) / 1_048_576 / median) } ?? .empty])
        }
        /// The bytes of the files a manifest's folder holds besides the manifest.
        func fileBytes(_ manifest: String) -> Int {
            let folder = (manifest as NSString).deletingLastPathComponent
            return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".nii.gz") }.reduce(0) {
                $0 + (((try? FileManager.default.attributesOfItem(atPath: folder + "/" + $1))?[.size] as? Int) ?? 0)
            }
        }

        if masks > 0 {
            Output.error("writing \(masks) real-size masks to \(scratch)...")
            let real = try BenchStudy.writeRealSize(count: masks, to: scratch + "/real", atlas: try Atlas.aal2(), jobs: jobs)
            // Attribution maps of the same grid: their import's speed per byte beside the masks'.
            let maps = try BenchStudy.writeRealSizeMaps(count: masks, to: scratch + "/maps", atlas: try Atlas.aal2(), jobs: jobs)
            let database = scratch + "/real.sqlite"
            for (noun, manifest) in [("masks", real), ("maps", maps)] {
                for count in jobs == 1 ? [1] : [jobs, 1] {
                    try measure("import \(noun) (--jobs \(count))", masks: masks, bytes: fileBytes(manifest)) {
                        Self.removeDatabase(database)
                        return try ChildProcess.run(maskdb, ["import", "masks", manifest, "--db", database, "--jobs", "\(count)"], errors: errors)
                    }
                }
            }
            if let gunzip = Self.onPath("libdeflate-gunzip") {
                let files = (0..<masks).map { "\(scratch)/real/mask-\($0).nii.gz" }
                try measure("libdeflate-gunzip -c (1 core, floor)", masks: masks, bytes: fileBytes(real), ownMemory: false) {
                    // The paths as arguments ("$0" is the tool), never spliced into the script.
                    try ChildProcess.run("/bin/sh", ["-c", "for f; do \"$0\" -c \"$f\" > /dev/null || exit 1; done", gunzip] + files, errors: errors)
                }
            }
        }

        Output.error("writing \(queryMasks) small masks for the queries...")
        let small = try BenchStudy.writeSmall(count: queryMasks, to: scratch + "/small", layout: layout)
        let queries = scratch + "/queries.sqlite"
        Self.removeDatabase(queries)  // a kept folder's earlier study would add to this one
        let imported = try ChildProcess.run(maskdb, ["import", "masks", small, "--db", queries], errors: errors)
        guard imported.status == 0 else { throw failure("import masks (the query study)", status: imported.status) }
        // Timed once: the queries need the study, not more imports of it.
        table.append([.text("import masks (\(layout) query study, once)"), .integer(queryMasks), .integer(1), .number(imported.seconds),
                      .number(Double(queryMasks) / imported.seconds), .number(Double(imported.peakRSSBytes) / 1_048_576), .empty])
        let repeatedSHA256 = SHA256Digest.hex(try FileBytes.read(scratch + "/small/" + BenchStudy.repeatedFile))
        let steps: [(label: String, arguments: [String])] = [
            ("similarity --by \(StudyField.lambda1)", ["similarity", "--by", StudyField.lambda1.name]),
            ("similarity --by \(StudyField.run)", ["similarity", "--by", StudyField.run.name]),
            ("robustness", ["robustness"]), ("top-rois --merge-hemispheres", ["top-rois", "--merge-hemispheres"]),
            ("grid", ["grid"]), ("masks --format csv", ["masks", "--format", "csv"]),
            ("report", ["report", "--out", scratch + "/report"]),
            // The file with the most records, by a prefix of its sha256.
            ("audit SHA256-PREFIX", ["audit", String(repeatedSHA256.prefix(12))]),
        ]
        for step in steps {
            try measure(step.label, masks: queryMasks) {
                try ChildProcess.run(maskdb, step.arguments + ["--db", queries], errors: errors)
            }
        }
        return table
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
