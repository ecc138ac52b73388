import Atlas
import CLISupport
import DemoStudy
import Dispatch
import Foundation
import Import
import NIfTI
import Reports
import SQLiteStore
import Store
import Study

/// `maskdb-bench --voxels N`: the voxel measures timed in this process (they are a library's,
/// `Study.VoxelMaps`, not a command's yet): N real-size masks imported into a fresh database,
/// then `VoxelMaps.load` and every pair's Dice, Jaccard and Pearson, medians of `runs`.
struct VoxelBench {
    var masks: Int
    var jobs: Int
    var runs: Int
    var keep: String?

    func run() throws -> Table {
        let scratch = keep ?? FileManager.default.temporaryDirectory.appendingPathComponent("maskdb-bench-voxels-\(UUID().uuidString.prefix(8))").path
        defer { if keep == nil { try? FileManager.default.removeItem(atPath: scratch) } }
        Output.error("writing \(masks) real-size masks to \(scratch)...")
        let manifest = try BenchStudy.writeRealSize(count: masks, to: scratch + "/real", atlas: try Atlas.aal2(), jobs: jobs)
        let path = scratch + "/voxels.sqlite"
        try? FileManager.default.removeItem(atPath: path)
        let store = try SQLiteStore.open(path: path, create: true, command: "maskdb-bench --voxels")
        let summary = try store.importMasks(manifestPath: manifest, options: ImportOptions(study: "bench", strict: true, command: "maskdb-bench --voxels", jobs: jobs))
        guard summary.rejected.isEmpty else { throw BenchError.stepFailed(step: "import", status: 1, said: summary.rejected.first?.message) }
        let records = try store.masks()
        let pairs = records.count * (records.count - 1) / 2

        var table = Table(columns: [
            .init("step"), .init("masks"), .init("pairs"), .init("runs"), .init("median_s", decimals: 3), .init("peak_rss_mb", decimals: 0), .init("check", decimals: 6),
        ])
        /// Times `load` then every pair's `measures`, `runs` times; the row's check is the mean value.
        func time(_ step: String, _ measures: Set<VoxelMeasure>) throws {
            var loads: [Double] = [], pairTimes: [Double] = [], totals: [Double] = []
            var mean = 0.0
            for _ in 0..<runs {
                let start = DispatchTime.now().uptimeNanoseconds
                let maps = try VoxelMaps.load(store: store, masks: records, measures: measures, jobs: jobs)
                let loaded = DispatchTime.now().uptimeNanoseconds
                var sum = 0.0, count = 0
                for i in 0..<records.count {
                    for j in (i + 1)..<records.count {
                        for measure in measures {
                            if let value = maps.value(measure, i, j) { sum += value; count += 1 }
                        }
                    }
                }
                let end = DispatchTime.now().uptimeNanoseconds
                loads.append(Double(loaded - start) / 1e9)
                pairTimes.append(Double(end - loaded) / 1e9)
                totals.append(Double(end - start) / 1e9)
                mean = count > 0 ? sum / Double(count) : .nan
            }
            let median = { (values: [Double]) in values.sorted()[values.count / 2] }
            let peak = Double(Self.peakRSSBytes()) / 1_048_576
            let name = measures.count == 3 ? "all three" : measures.map(\.rawValue).sorted().joined(separator: "+")
            table.append([.text("load (\(name))"), .integer(records.count), .empty, .integer(runs), .number(median(loads)), .number(peak), .empty])
            table.append([.text("pairs (\(name))"), .integer(records.count), .integer(pairs), .integer(runs), .number(median(pairTimes)), .empty, .number(mean)])
            table.append([.text("load + pairs (\(name))"), .integer(records.count), .integer(pairs), .integer(runs), .number(median(totals)), .empty, .empty])
        }
        try time("dice", [.dice])
        try time("jaccard", [.jaccard])
        try time("pearson", [.pearson])
        try time("all", Set(VoxelMeasure.allCases))
        if let keep {
            // For the cross-check, 4 attribution maps beside the masks (top 5 % of |a|, paired with masks too).
            let maps = try BenchStudy.writeRealSizeMaps(count: 4, to: keep + "/maps", atlas: try Atlas.aal2(), jobs: jobs)
            _ = try store.importMasks(manifestPath: maps, options: ImportOptions(study: "bench", strict: true, command: "maskdb-bench --voxels", jobs: jobs))
            try writePairs(store: store, records: try store.masks(), to: keep + "/voxel-pairs.tsv")
        }
        return table
    }

    /// Every pair's three values with the two files and semantics, for `Scripts/voxel_crosscheck.py --check`.
    func writePairs(store: SQLiteStore, records: [MaskRecord], to path: String) throws {
        let maps = try VoxelMaps.load(store: store, masks: records, measures: Set(VoxelMeasure.allCases), jobs: jobs)
        var lines = ["a\tb\tsemantics_a\tsemantics_b\tdice\tjaccard\tpearson"]
        let text = { (value: Double?) in value.map { "\($0)" } ?? "" }
        for i in 0..<records.count {
            for j in (i + 1)..<records.count {
                lines.append([records[i].source, records[j].source, records[i].semantics.rawValue, records[j].semantics.rawValue,
                              text(maps.dice(i, j)), text(maps.jaccard(i, j)), text(maps.pearson(i, j))].joined(separator: "\t"))
            }
        }
        try FileBytes.write(Array((lines.joined(separator: "\n") + "\n").utf8), to: path)
        Output.error("wrote every pair's values to \(path)")
    }

    /// This process's peak resident memory (VmHWM), in bytes.
    static func peakRSSBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return 0 }
        return kb * 1024
    }
}
