import Atlas
import Foundation
import NIfTI
import StudyCore
import Synchronization

/// Synthetic studies for `maskdb-bench`: real-size masks with optimizer noise (about 6 MB
/// each, as optimized masks are), and many small masks for timing queries.
public enum BenchStudy {
    /// Writes `count` real-size noisy keep masks on the AAL2 grid and their manifest
    /// (`masks.tsv`) into `folder`, on `jobs` threads; returns the manifest's path.
    /// Compressed at level 1, as nibabel saves `.nii.gz` files by default.
    public static func writeRealSize(count: Int, to folder: String, atlas: Atlas, jobs: Int) throws -> String {
        try writeRealSize(count: count, to: folder, atlas: atlas, jobs: jobs) { voxels, random in
            // Optimizer noise: small, everywhere, so the file compresses as real masks do.
            for i in voxels.indices { voxels[i] = max(0, voxels[i] - Float(random.unit()) * 0.02) }
        }
        let rows = (0..<count).map { index in
            "mask-\(index).nii.gz\t\(index % 5)\t\((index / 5) % 5)\t\(DemoStudy.lambda1s[(index / 25) % 4])\t0.001\t\(index / 100)"
        }
        return try manifest(["path\tfold\trun\tlambda1\tlambda2\tsetting.batch"] + rows, in: folder)
    }

    /// Writes `count` real-size attribution maps (signed gradients of order 1e-5 over the same
    /// regions, with noise of a tenth of that everywhere) and their manifest (`masks.tsv`,
    /// semantics attribution, method gradients) into `folder`; returns the manifest's path.
    public static func writeRealSizeMaps(count: Int, to folder: String, atlas: Atlas, jobs: Int) throws -> String {
        try writeRealSize(count: count, to: folder, atlas: atlas, jobs: jobs) { voxels, random in
            for i in voxels.indices { voxels[i] = ((1 - voxels[i]) + Float(random.unit() - 0.5) * 0.2) * (i % 2 == 0 ? 1e-5 : -1e-5) }
        }
        let rows = (0..<count).map { index in "mask-\(index).nii.gz\t\(index % 5)\t\((index / 5) % 5)\tattribution\tgradients" }
        return try manifest(["path\tfold\trun\tsemantics\tmethod"] + rows, in: folder)
    }

    /// Writes `count` real-size images on the AAL2 grid, `mask-INDEX.nii.gz`, each a keep
    /// mask of the demo's regions that `finish` turns into the file's voxels.
    private static func writeRealSize(
        count: Int, to folder: String, atlas: Atlas, jobs: Int, finish: @Sendable (inout [Float], inout SplitMix64) -> Void
    ) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let anatomy = Anatomy(atlas: atlas)
        let shape = atlas.grid.shape, affine = atlas.grid.affine
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: max(1, jobs)) { job in
            for index in stride(from: job, to: count, by: max(1, jobs)) {
                let (fold, run) = (index % 5, (index / 5) % 5)
                var voxels = anatomy.keepMask(
                    weights: DemoStudy.regionWeights(fold: fold, run: run, lambda1: 0.01), spread: 6)
                var random = SplitMix64(seed: 5000 + UInt64(index))
                finish(&voxels, &random)
                let bytes = NIfTIWriter.float32Bytes(voxels: voxels, shape: shape, affine: affine, compressionLevel: 1)
                do {
                    try FileBytes.write(bytes, to: "\(folder)/mask-\(index).nii.gz")
                } catch {
                    failures.add(error)
                }
            }
        }
        if let error = failures.first { throw error }
    }

    /// Writes `count` small masks (12 x 10 x 9 voxels of 15 mm over AAL2's box: queries read
    /// only stored density vectors, so size does not matter) and their manifest; returns the
    /// manifest's path. `small`: 5 folds x 10 runs x 5 λ1 x 4 λ2, each setting repeated with
    /// another `setting.replicate` (pairs agree on it: groups stay small); `growing`: 5 folds x
    /// 5 runs x 4 λ1, each repeated with another `replicate` annotation (pairs pool over it:
    /// groups grow with the study). Every 28th row is the first file again (`repeatedFile`),
    /// so that one file has many records, as `audit` meets it.
    public static func writeSmall(count: Int, to folder: String, layout: Layout = .small) throws -> String {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let affine = Affine.scaling(15, 15, 15, origin: (-90, -126, -72))
        let lambda1s = [0.1, 0.01, 0.001, 0.0001, 0.00001], lambda2s = [0.1, 0.01, 0.001, 0.0001]
        var rows = [layout == .small ? "path\tfold\trun\tlambda1\tlambda2\tsetting.replicate" : "path\tfold\trun\tlambda1\tlambda2\treplicate"]
        for index in 0..<count {
            // A growing study's settings repeat every 100 rows, so its repeated file may have
            // each setting once: rows 0, 28, ... while their settings are new.
            let repeated = index % 28 == 0 && (layout == .small || index < 700)
            if !repeated || index == 0 {
                var random = SplitMix64(seed: 9000 + UInt64(index))
                let voxels = (0..<1080).map { _ in Float(random.unit()) }
                try NIfTIWriter.writeFloat32(voxels: voxels, shape: [12, 10, 9], affine: affine, to: "\(folder)/small-\(index).nii")
            }
            let file = repeated ? repeatedFile : "small-\(index).nii"
            switch layout {
            case .small:
                let setting = index % 1000
                rows.append("\(file)\t\(setting % 5)\t\((setting / 5) % 10)\t\(lambda1s[(setting / 50) % 5])\t\(lambda2s[(setting / 250) % 4])\t\(index / 1000)")
            case .growing:
                let setting = index % 100
                rows.append("\(file)\t\(setting % 5)\t\((setting / 5) % 5)\t\(lambda1s[(setting / 25) % 4])\t0.001\t\(index / 100)")
            }
        }
        return try manifest(rows, in: folder)
    }

    /// How a small study's masks are laid out over settings.
    public enum Layout: String, Sendable, CaseIterable {
        case small, growing
    }

    /// The file every 28th row of a small study lists.
    public static let repeatedFile = "small-0.nii"

    private static func manifest(_ rows: [String], in folder: String) throws -> String {
        let path = folder + "/masks.tsv"
        try FileBytes.write(Array((rows.joined(separator: "\n") + "\n").utf8), to: path)
        return path
    }

    /// Errors from worker threads.
    private final class Failures: Sendable {
        private let errors = Mutex<[any Error]>([])
        func add(_ error: any Error) { errors.withLock { $0.append(error) } }
        var first: (any Error)? { errors.withLock { $0.first } }
    }
}
