import ArgumentParser
import CLISupport
import Foundation
import Study

/// How the measures beyond the ROI cosine are taken: the top k of the region measures, and
/// the voxel measures' sets, domain and decoding.
struct MeasureFlags: ParsableArguments {
    @Option(help: "How many of each mask's densest regions stability and topk-jaccard compare.")
    var k = 5

    @Option(help: "dice, jaccard: a mask's voxels with perturbation at least this (0 to 1).")
    var threshold = VoxelOptions().threshold

    @Option(help: "dice, jaccard: an attribution map's top percent of voxels by |a| (0 to 100).")
    var topPercent = VoxelOptions().topPercent

    @Option(help: "The voxel measures' voxels: atlas (those the atlas labels: the brain) or grid (all).")
    var voxels: VoxelDomain = .atlas

    @Option(help: "Workers decoding the stored files for the voxel measures (default: one per core).")
    var jobs: Int?

    func validate() throws {
        guard k >= 1 else { throw ValidationError("'--k \(k)': give at least 1") }
        guard threshold >= 0, threshold <= 1 else { throw ValidationError("--threshold: a perturbation from 0 to 1 (got \(threshold))") }
        guard topPercent > 0, topPercent <= 100 else { throw ValidationError("--top-percent: more than 0, at most 100 (got \(topPercent))") }
        if let jobs { try JobsLimit.check(jobs) }
    }

    var voxelOptions: VoxelOptions { VoxelOptions(threshold: threshold, topPercent: topPercent, domain: voxels) }
    var workers: Int { jobs ?? ProcessInfo.processInfo.activeProcessorCount }
}

extension VoxelDomain: ExpressibleByArgument {}
