import Foundation
import NIfTI
import NIfTIFixtures
import Testing

/// `maskdb-bench` end to end on the smallest studies: its timing is not tested, only
/// that every step runs, in a kept folder whose path needs quoting, run after run.
struct BenchCommandTests {
    @Test func benchRunsEveryStepInAKeptFolderTwice() throws {
        let scratch = try ScratchFolder(prefix: "maskdb-bench test")
        let kept = scratch.path("kept study")
        for queryMasks in [3, 2] {
            let result = try CLI.run(
                tool: "maskdb-bench", ["--masks", "1", "--jobs", "1", "--runs", "1", "--query-masks", "\(queryMasks)", "--keep", kept, "--format", "tsv"])
            #expect(result.status == 0, "\(result.stderr)")
            // Which inflater the steps ran with, on stderr beside a machine-readable table.
            #expect(result.stderr.hasPrefix("gzip: \(Inflater.current)\n"))
            let steps = result.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: "\t").map(String.init) }
            let floor = Self.hasFloorTool ? ["libdeflate-gunzip -c (1 core, floor)"] : []
            #expect(steps.map { $0[0] } == ["import masks (--jobs 1)", "import maps (--jobs 1)"] + floor + [
                "import masks (small query study, once)", "similarity --by lambda1", "similarity --by run", "robustness", "top-rois --merge-hemispheres", "grid",
                "masks --format csv", "report", "audit SHA256-PREFIX",
            ])
            // The query study is this run's, not added to the kept folder's earlier one.
            #expect(steps.dropFirst(2 + floor.count).allSatisfy { $0[1] == "\(queryMasks)" })
            // The imports' throughput in file bytes, for masks and maps alike.
            #expect(steps.prefix(2).allSatisfy { $0.count == 7 && Double($0[6]).map { $0 > 0 } == true })
            let masks = try CLI.run("masks", "--format", "csv", "--db", kept + "/queries.sqlite")
            #expect(masks.stdout.split(separator: "\n").count == queryMasks + 1)
        }
    }

    @Test func aFileAsTheKeptFolderIsNamedInOneLine() throws {
        let scratch = try ScratchFolder(prefix: "maskdb-bench")
        let file = try scratch.write([1], named: "a file")
        let result = try CLI.run(tool: "maskdb-bench", ["--masks", "1", "--keep", file])
        #expect(result.status == 1)
        #expect(result.stderr.split(separator: "\n").last == "maskdb-bench: error: \(file)/real: not a directory")
    }

    @Test func usageErrorsNameTheToolAndItsUsage() throws {
        let result = try CLI.run(tool: "maskdb-bench", ["--jobs", "0"])
        #expect(result.status == 2)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.first == "maskdb-bench: error: '--jobs 0': give at least 1")
        #expect(lines.dropFirst().first?.hasPrefix("Usage: maskdb-bench ") == true)
    }

    static var hasFloorTool: Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/libdeflate-gunzip")
        }
    }
}
