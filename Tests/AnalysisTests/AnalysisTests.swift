import StudyCore
import Testing

@testable import Analysis

/// Hand-computed values on tiny vectors.
struct AnalysisTests {
    static func mask(
        _ id: Int64, fold: Int, run: Int, lambda1: Double, _ densities: [Double?], voxels: [Int] = [1, 1, 1]
    ) -> MaskSample {
        MaskSample(
            id: id,
            settings: [
                .study: .text("s"), .fold: .number(Double(fold)), .run: .number(Double(run)), .model: .text(""),
                .lambda1: .number(lambda1), .lambda2: .number(0.01),
            ],
            densities: densities, voxels: voxels)
    }

    @Test func cosineOfHandPickedVectors() {
        // (1, 2, 2) . (2, 1, 2) = 8; both norms are 3: 8 / 9.
        #expect(Similarity.cosine([1, 2, 2], [2, 1, 2]) == 8.0 / 9.0)
        #expect(Similarity.cosine([1, 0], [0, 1]) == 0)
        // A region missing on either side is left out of both: (3, 4) . (3, 4) / 25.
        #expect(Similarity.cosine([3, nil, 4], [3, 7, 4]) == 1)
        #expect(Similarity.cosine([0, 0], [1, 1]) == nil)
    }

    @Test func similarityByLambda1PairsMasksOfTheSameModel() {
        // Model (fold 0, run 0): λ1 0.1 -> (1, 0, 0), 0.01 -> (1, 1, 0); cos = 1/√2.
        // Model (fold 0, run 1): λ1 0.1 -> (0, 1, 0), 0.01 -> (0, 1, 1); cos = 1/√2.
        //                        λ1 0.001 -> (0, 0, 1): with 0.1 cos 0, with 0.01 cos 1/√2.
        let samples = [
            Self.mask(1, fold: 0, run: 0, lambda1: 0.1, [1, 0, 0]),
            Self.mask(2, fold: 0, run: 0, lambda1: 0.01, [1, 1, 0]),
            Self.mask(3, fold: 0, run: 1, lambda1: 0.1, [0, 1, 0]),
            Self.mask(4, fold: 0, run: 1, lambda1: 0.01, [0, 1, 1]),
            Self.mask(5, fold: 0, run: 1, lambda1: 0.001, [0, 0, 1]),
        ]
        let matrix = Similarity.roi(samples, by: .lambda1)
        let r = 0.5.squareRoot()
        #expect(matrix.values == [.number(0.001), .number(0.01), .number(0.1)])
        #expect(matrix.pairs == [[0, 1, 1], [1, 0, 2], [1, 2, 0]])
        let m = matrix.means.map { $0.map { $0! } }
        #expect(m[0][0] == 1 && abs(m[0][1] - r) < 1e-15 && m[0][2] == 0)
        #expect(abs(m[1][2] - r) < 1e-15 && m[1][1] == 1 && abs(m[2][1] - r) < 1e-15)
    }

    @Test func robustnessPoolsInterRunAndInterFoldPairs() {
        // λ1 equal everywhere. Inter-run pairs (fold 0: masks 1 and 2): cos((1,0),(1,1)) = 1/√2.
        // Inter-fold pairs (run 0: masks 1 and 3): cos((1,0),(0,1)) = 0.
        let samples = [
            Self.mask(1, fold: 0, run: 0, lambda1: 0.1, [1, 0]),
            Self.mask(2, fold: 0, run: 1, lambda1: 0.1, [1, 1]),
            Self.mask(3, fold: 1, run: 0, lambda1: 0.1, [0, 1]),
        ]
        func e(_ mask: MaskSample, fold: Int, run: Int, _ p: Double) -> EvaluationSample {
            EvaluationSample(
                maskID: mask.id, mask: mask.settings,
                evaluator: [.study: .text("s"), .fold: .number(Double(fold)), .run: .number(Double(run)), .model: .text("")],
                subjects: "AD", trueLabel: "AD", probability: p)
        }
        let evaluations = [
            e(samples[0], fold: 0, run: 1, 0.8), e(samples[1], fold: 0, run: 0, 0.6),  // inter-run: mean 0.7
            e(samples[0], fold: 1, run: 0, 0.9),  // inter-fold
            e(samples[0], fold: 1, run: 1, 0.1),  // neither: other fold and other run
            e(samples[0], fold: 0, run: 0, 0.05),  // its own model
        ]
        let table = Robustness.compute(samples, evaluations)
        #expect(table.probInterRuns.count == 2 && abs(table.probInterRuns.value! - 0.7) < 1e-15)
        #expect(table.probInterFolds == Mean([0.9]))
        #expect(table.roiInterRuns == Mean([1 / 2.0.squareRoot()]))
        #expect(table.roiInterFolds == Mean([0]))
        // The prob matrix by run: masks of run 0 evaluated by run 1 models: 0.8; the reverse 0.6;
        // run 0 by run 0 (its own model): 0.05.
        let prob = Similarity.prob(evaluations, by: .run)
        #expect(prob.means == [[0.05, 0.8], [0.6, nil]])
        #expect(GridSearch.ownModelProbability(evaluations) == [1: 0.05])
    }

    @Test func topRegionsCountTopKThenMeanDensity() {
        let regions = [(1, "A_L"), (2, "A_R"), (3, "B"), (4, "C_L")].map { (label: $0.0, name: $0.1) }
        // Mask 1 ranks A_L (0.9), B (0.5), A_R (0.2), C_L (0.1); mask 2 ranks B (0.8), A_R (0.6), A_L (0.3), C_L (0).
        let samples = [
            Self.mask(1, fold: 0, run: 0, lambda1: 0.1, [0.9, 0.2, 0.5, 0.1], voxels: [1, 3, 1, 1]),
            Self.mask(2, fold: 1, run: 0, lambda1: 0.1, [0.3, 0.6, 0.8, 0], voxels: [1, 3, 1, 1]),
        ]
        // Top 2: B in both (mean 0.65, ranks 2 and 1 -> 1.5); A_L in mask 1 (mean 0.6); A_R in mask 2 (mean 0.4).
        let rows = TopRegions.rank(samples, regions: regions, k: 2, by: nil, mergeHemispheres: false)
        #expect(rows.map(\.region.name) == ["B", "A_L", "A_R"])
        #expect(rows.map(\.inTopK) == [2, 1, 1])
        #expect(abs(rows[0].meanDensity - 0.65) < 1e-15 && rows[0].meanRank == 1.5)
        #expect(rows.map(\.rank) == [1, 2, 3] && rows.allSatisfy { $0.masks == 2 })
        // Merged: A = (0.9 * 1 + 0.2 * 3) / 4 = 0.375 in mask 1, (0.3 + 1.8) / 4 = 0.525 in mask 2;
        // C_L has no partner: it becomes C and keeps its label.
        let merged = TopRegions.rank(samples, regions: regions, k: 1, by: .fold, mergeHemispheres: true)
        #expect(merged.map { "\($0.group!) \($0.region.name) \($0.region.label.map(String.init) ?? "-")" } == ["0 B 3", "1 B 3"])
        #expect(rows.allSatisfy { $0.group == nil })  // no --by: one group, not a "missing" value
        let all = TopRegions.rank(samples, regions: regions, k: 3, by: nil, mergeHemispheres: true)
        #expect(all.map(\.region.name) == ["B", "A", "C"])
        #expect(abs(all[1].meanDensity - 0.45) < 1e-15 && all[1].region.label == nil)
    }

    @Test func masksSavedInEitherSemanticsArePaired() {
        // Densities are of the perturbation whatever the file's convention: a keep mask and
        // a perturb mask of the same fold, other runs, are an inter-run pair.
        var keep = Self.mask(1, fold: 0, run: 0, lambda1: 0.1, [0.9, 0.1, 0])
        var perturb = Self.mask(2, fold: 0, run: 1, lambda1: 0.1, [0.9, 0.1, 0])
        keep.settings[.semantics] = .text("keep")
        perturb.settings[.semantics] = .text("perturb")
        #expect(Pairing.settings.pairs([keep, perturb], differingIn: .run).map { [$0.0.id, $0.1.id] } == [[1, 2]])
        // Any other setting still parts them.
        perturb.settings[.parameter("loss")] = .text("l1")
        #expect(Pairing.settings.pairs([keep, perturb], differingIn: .run).isEmpty)
    }

    @Test func unperturbedRegionsAreInNoTopK() {
        let regions = (1...6).map { (label: $0, name: "R\($0)") }
        // Mask 1 perturbs R5 and R6, mask 2 only R5: with k = 3, no zero fills a top 3.
        let samples = [
            Self.mask(1, fold: 0, run: 0, lambda1: 0.1, [0, 0, 0, 0, 0.9, 0.8], voxels: [1, 1, 1, 1, 1, 1]),
            Self.mask(2, fold: 1, run: 0, lambda1: 0.1, [0, 0, 0, 0, 0.7, 0], voxels: [1, 1, 1, 1, 1, 1]),
        ]
        let rows = TopRegions.rank(samples, regions: regions, k: 3, by: nil, mergeHemispheres: false)
        #expect(rows.map { "\($0.region.name) \($0.inTopK)" } == ["R5 2", "R6 1"])
    }

    @Test func oneRegionsDensityIsReadBackExactly() {
        // 0.1 * 3 / 3 is not 0.1 in binary: a single region must not go through the weighting.
        let sample = Self.mask(1, fold: 0, run: 0, lambda1: 0.1, [0.1, 0.7, nil], voxels: [3, 7, 0])
        #expect(0.1 * 3 / 3 != 0.1)
        #expect(sample.density(over: [0]) == 0.1 && sample.density(over: [0, 2]) == 0.1 && sample.density(over: [2]) == nil)
        #expect(sample.density(over: [0, 1]) == (0.1 * 3 + 0.7 * 7) / 10)
    }

    @Test func gridMeansPerCell() {
        let samples = [
            Self.mask(1, fold: 0, run: 0, lambda1: 0.1, [0.2, 0.4], voxels: [1, 3]),  // mean density 0.35
            Self.mask(2, fold: 1, run: 0, lambda1: 0.1, [0.4, 0.4], voxels: [1, 3]),  // 0.4
            Self.mask(3, fold: 0, run: 0, lambda1: 0.01, [1, nil], voxels: [2, 0]),  // 1
        ]
        let grid = GridSearch.table(samples, rows: .lambda1, columns: .lambda2) { $0.meanDensity }
        #expect(grid.rows == [.number(0.01), .number(0.1)] && grid.columns == [.number(0.01)])
        #expect(grid.counts == [[1], [2]])
        #expect(grid.means[0][0] == 1 && abs(grid.means[1][0]! - 0.375) < 1e-15)
    }

    @Test func spreadIsTheSampleStandardDeviation() {
        // Values 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations sum to 32, / 7.
        let spread = Spread([2, 4, 4, 4, 5, 5, 7, 9])!
        #expect(spread.mean == 5 && abs(spread.sd! - (32.0 / 7).squareRoot()) < 1e-15)
        #expect(Spread([1])?.sd == nil && Spread([]) == nil)
    }
}
