import Atlas
import Foundation
import NIfTI
import StudyCore

/// A deterministic synthetic study shaped like the poster's: 5 folds x 5 runs of a CNN,
/// one mask per model at the main setting, a λ1 x λ2 grid search for the first model,
/// and cross-model evaluations. Masks are real-size keep masks on the AAL2 grid whose
/// perturbation concentrates in medial temporal regions, with fold- and run-specific
/// differences. Everything comes from fixed seeds: the files are the same on every run.
public enum DemoStudy {
    public static let folds = 0..<5
    public static let runs = 0..<5
    /// The main setting every model gets.
    public static let mainSetting = (lambda1: 0.01, lambda2: 0.001)
    /// The grid searched for fold 0, run 0.
    public static let lambda1s = [0.1, 0.01, 0.001, 0.0001]
    public static let lambda2s = [0.01, 0.001, 0.0001]

    /// The manifests `write` produces.
    public struct Manifests: Sendable {
        public var models: String
        public var masks: String
        public var evaluations: String
    }

    /// Writes the study's masks and manifests into `folder`. `progress` is called with
    /// (masks written, masks in all).
    public static func write(to folder: String, atlas: Atlas, progress: (Int, Int) -> Void = { _, _ in }) throws -> Manifests {
        let maskFolder = folder + "/masks"
        try FileManager.default.createDirectory(atPath: maskFolder, withIntermediateDirectories: true)
        let anatomy = Anatomy(atlas: atlas)
        let settings = maskSettings
        var maskRows = ["path\tfold\trun\tlambda1\tlambda2\tbeta1\tbeta2\tsubjects\tsemantics\tsetting.optimizer"]
        for (index, setting) in settings.enumerated() {
            let name = "masks/fold-\(setting.fold)_run-\(setting.run)_l1-\(setting.lambda1)_l2-\(setting.lambda2).nii.gz"
            let weights = regionWeights(fold: setting.fold, run: setting.run, lambda1: setting.lambda1)
            let voxels = anatomy.keepMask(weights: weights, spread: spread(lambda2: setting.lambda2))
            try NIfTIWriter.writeFloat32(voxels: voxels, shape: atlas.grid.shape, affine: atlas.grid.affine, to: folder + "/" + name)
            maskRows.append("\(name)\t\(setting.fold)\t\(setting.run)\t\(setting.lambda1)\t\(setting.lambda2)\t1\t3\tAD-train\tkeep\tadam")
            progress(index + 1, settings.count)
        }
        let manifests = Manifests(models: folder + "/models.tsv", masks: folder + "/masks.tsv", evaluations: folder + "/evaluations.tsv")
        try write(modelRows, to: manifests.models)
        try write(maskRows, to: manifests.masks)
        try write(evaluationRows, to: manifests.evaluations)
        return manifests
    }

    /// One mask per model at the main setting, then the grid for fold 0, run 0.
    static var maskSettings: [(fold: Int, run: Int, lambda1: Double, lambda2: Double)] {
        var settings = folds.flatMap { fold in runs.map { (fold, $0, mainSetting.lambda1, mainSetting.lambda2) } }
        for lambda1 in lambda1s {
            for lambda2 in lambda2s where (lambda1, lambda2) != mainSetting {
                settings.append((0, 0, lambda1, lambda2))
            }
        }
        return settings
    }

    /// Regions the CNN attends to, with base weights: the medial temporal lobe first,
    /// as the poster found.
    static let baseWeights: [(String, Double)] = [
        ("Hippocampus_L", 0.95), ("Hippocampus_R", 0.9), ("Amygdala_L", 0.8), ("Amygdala_R", 0.75),
        ("ParaHippocampal_L", 0.7), ("ParaHippocampal_R", 0.65), ("Fusiform_L", 0.5), ("Fusiform_R", 0.45),
        ("Temporal_Inf_L", 0.3), ("Temporal_Mid_R", 0.25), ("Putamen_L", 0.25), ("Pallidum_R", 0.2),
        ("Thalamus_L", 0.2),
    ]
    /// Regions a fold or a run may add on its own.
    static let extraRegions = [
        "Precuneus_L", "Insula_R", "Cingulate_Post_L", "Temporal_Sup_L", "Lingual_R", "Angular_L",
        "Frontal_Inf_Orb_2_L", "Caudate_R", "Temporal_Pole_Sup_L", "Olfactory_R",
    ]

    /// A model's perturbation weight per region: base weights varied per fold and per run,
    /// plus one region of the fold's and one of the run's own; sparser (higher λ1) masks
    /// keep their strongest regions and lose the weak ones.
    static func regionWeights(fold: Int, run: Int, lambda1: Double) -> [String: Double] {
        var foldRandom = SplitMix64(seed: 1000 + UInt64(fold))
        var runRandom = SplitMix64(seed: 2000 + UInt64(fold * 10 + run))
        var weights: [String: Double] = [:]
        for (region, weight) in baseWeights {
            weights[region] = weight * foldRandom.uniform(0.35...1.5) * runRandom.uniform(0.3...1.5)
        }
        for _ in 0..<2 {
            weights[extraRegions[Int(foldRandom.next() % UInt64(extraRegions.count))], default: 0] += foldRandom.uniform(0.4...0.9)
            weights[extraRegions[Int(runRandom.next() % UInt64(extraRegions.count))], default: 0] += runRandom.uniform(0.4...0.9)
        }
        let sparsity: Double = [0.1: 3.0, 0.01: 1.4, 0.001: 0.9, 0.0001: 0.6][lambda1] ?? 1
        return weights.mapValues { min(0.98, pow(min($0, 1), sparsity)) }
    }

    /// Blob size (mm) by smoothness: a larger λ2 gives smoother, wider perturbations.
    static func spread(lambda2: Double) -> Double {
        let spreads: [Double: Double] = [0.01: 7.5, 0.001: 6.0, 0.0001: 5.0]
        return spreads[lambda2] ?? 6
    }

    static var modelRows: [String] {
        var rows = ["fold\trun\tarchitecture\tparams.dropout\tparams.learning_rate\tmetric.ADNI-validation.balanced_accuracy\tmetric.ADNI-test.balanced_accuracy\tmetric.AIBL-test.balanced_accuracy"]
        for fold in folds {
            for run in runs {
                var random = SplitMix64(seed: 3000 + UInt64(fold * 10 + run))
                let accuracies = [0.89, 0.88, 0.90].map { rounded($0 + random.uniform(-0.035...0.035), 4) }
                rows.append("\(fold)\t\(run)\tConv5_FC3\t0.79\t0.0001\t" + accuracies.map { "\($0)" }.joined(separator: "\t"))
            }
        }
        return rows
    }

    /// Every main-setting mask evaluated by its own model, the other runs of its fold and
    /// the other folds of its run: the less alike two models' masks, the less one's mask
    /// moves the other's decision.
    static var evaluationRows: [String] {
        var rows = ["mask\tfold\trun\tprobability\tsubjects\ttrue_label\tn"]
        for fold in folds {
            for run in runs {
                let mask = "masks/fold-\(fold)_run-\(run)_l1-\(mainSetting.lambda1)_l2-\(mainSetting.lambda2).nii.gz"
                let own = regionWeights(fold: fold, run: run, lambda1: mainSetting.lambda1)
                var random = SplitMix64(seed: 4000 + UInt64(fold * 10 + run))
                let evaluators = [(fold, run)] + runs.filter { $0 != run }.map { (fold, $0) } + folds.filter { $0 != fold }.map { ($0, run) }
                for (evaluatorFold, evaluatorRun) in evaluators {
                    let probability: Double
                    if (evaluatorFold, evaluatorRun) == (fold, run) {
                        probability = random.uniform(0.05...0.2)
                    } else {
                        let other = regionWeights(fold: evaluatorFold, run: evaluatorRun, lambda1: mainSetting.lambda1)
                        let similarity = cosine(own, other)
                        probability = min(0.99, max(0.01, 0.5 + 1.0 * (1 - similarity) + random.uniform(-0.1...0.1)))
                    }
                    rows.append("\(mask)\t\(evaluatorFold)\t\(evaluatorRun)\t\(rounded(probability, 4))\tAD-validation\tAD\t40")
                }
            }
        }
        return rows
    }

    static func cosine(_ a: [String: Double], _ b: [String: Double]) -> Double {
        let keys = Set(a.keys).union(b.keys).sorted()
        let dot = keys.reduce(0) { $0 + (a[$1] ?? 0) * (b[$1] ?? 0) }
        let na = keys.reduce(0) { $0 + (a[$1] ?? 0) * (a[$1] ?? 0) }.squareRoot()
        let nb = keys.reduce(0) { $0 + (b[$1] ?? 0) * (b[$1] ?? 0) }.squareRoot()
        return dot / (na * nb)
    }

    static func rounded(_ value: Double, _ decimals: Int) -> Double {
        let scale = pow(10, Double(decimals))
        return (value * scale).rounded() / scale
    }

    private static func write(_ rows: [String], to path: String) throws {
        try FileBytes.write(Array((rows.joined(separator: "\n") + "\n").utf8), to: path)
    }
}
