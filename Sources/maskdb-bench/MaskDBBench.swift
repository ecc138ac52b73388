import ArgumentParser
import CLISupport
import Foundation
import DemoStudy
import NIfTI

/// The `maskdb-bench` command: how fast the `maskdb` beside it imports and answers queries on this machine.
@main
struct MaskDBBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "maskdb-bench",
        abstract: "Time maskdb's import and every query on synthetic studies, as separate processes (medians).",
        discussion: """
            Makes N real-size noisy masks (121 x 145 x 121 float32 .nii.gz, about 6 MB each) in a scratch \
            folder, times 'maskdb import masks' into a fresh database (hash, decode, validate, densities, \
            blob and densities stored), and the decompression floor ('libdeflate-gunzip -c', when \
            installed). Then times the queries and the report on a study of --query-masks small masks. \
            Prints medians, throughput and each process's peak memory. The maskdb timed is the one \
            in this executable's folder.
            """,
        version: "0.1.0")

    static var _errorPrefix: String { "maskdb-bench: error: " }

    @Option(help: "Real-size masks to import (0: none, only the queries).")
    var masks = 28

    @Option(help: "Decoding jobs for the import (default: the machine's cores).")
    var jobs = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Runs per measurement; the median is reported.")
    var runs = 5

    @Option(help: "Masks in the study the queries run on.")
    var queryMasks = 5000

    @Option(help: "The query study's layout: small (pairing groups of a few masks) or growing (groups grow with the study: 5 folds x 5 runs x 4 λ1, a replicate annotation).")
    var layout: BenchStudy.Layout = .small

    @Option(help: ArgumentHelp("Keep the synthetic studies in this folder (default: a scratch folder, removed).", valueName: "folder"))
    var keep: String?

    @Option(help: ArgumentHelp("Instead of timing: the coverage of the robustness intervals on this many synthetic studies.", valueName: "studies"))
    var coverage: Int?

    @Option(help: ArgumentHelp("Instead of timing maskdb: the voxel measures (VoxelMaps.load and every pair's Dice, Jaccard, Pearson) of this many real-size masks, in this process.", valueName: "masks"))
    var voxels: Int?

    @OptionGroup var output: FormatOptions

    func validate() throws {
        guard masks >= 0, runs >= 1, queryMasks >= 1 else {
            throw ValidationError("'--runs' and '--query-masks' take whole numbers of at least 1, '--masks' of at least 0")
        }
        try JobsLimit.check(jobs)
        if let coverage, coverage < 1 { throw ValidationError("'--coverage' takes a number of studies of at least 1") }
        if let voxels, voxels < 2 { throw ValidationError("'--voxels' takes a number of masks of at least 2") }
    }

    func run() throws {
        if let coverage {
            for scenario in Coverage.scenarios {
                Output.print("\(scenario)\n" + Coverage(studies: coverage, scenario: scenario).run().rendered(as: output.format))
            }
            return
        }
        if let voxels {
            let table = try VoxelBench(masks: voxels, jobs: jobs, runs: runs, keep: keep).run()
            Output.print("gzip: \(Inflater.current)\n\n" + table.rendered(as: output.format))
            return
        }
        let benchmark = Benchmark(masks: masks, jobs: jobs, runs: runs, queryMasks: queryMasks, layout: layout, keep: keep)
        // The inflater the children use (the same library lookup, the same environment): above
        // a table for people, on stderr beside the machine-readable formats.
        let forPeople = output.format == .table || output.format == .md
        let inflater = "gzip: \(Inflater.current)"
        if !forPeople { Output.error(inflater) }
        let table = try benchmark.run()
        Output.print((forPeople ? inflater + "\n\n" : "") + table.rendered(as: output.format))
    }

    static func main() {
        ErrorReport.main(Self.self)
    }
}

extension BenchStudy.Layout: ExpressibleByArgument {}
