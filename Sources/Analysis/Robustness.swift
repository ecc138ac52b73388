import StudyCore

/// How much masks agree across runs and across folds (the poster's robustness table).
public struct RobustnessTable: Sendable, Equatable {
    /// Mean probability over inter-run evaluations (0 = similar, 1 = dissimilar).
    public var probInterRuns: Mean
    /// Mean probability over inter-fold evaluations.
    public var probInterFolds: Mean
    /// Mean ROI cosine similarity over inter-run mask pairs (1 = similar).
    public var roiInterRuns: Mean
    /// Mean ROI cosine similarity over inter-fold mask pairs.
    public var roiInterFolds: Mean
}

/// Inter-run and inter-fold agreement.
public enum Robustness {
    /// Inter-run pairs share the fold and differ in run; inter-fold pairs share the run
    /// and differ in fold; every other setting is equal (for evaluations: the study
    /// and model name of the mask's model and the evaluating model). `pairing` says which
    /// fields mask pairs agree on; `units`, the samples' unit vectors (computed here when nil).
    public static func compute(
        _ samples: [MaskSample], _ evaluations: [EvaluationSample], pairing: Pairing = .settings, units: UnitVectors? = nil
    ) -> RobustnessTable {
        let units = units ?? UnitVectors(samples)
        return RobustnessTable(
            probInterRuns: probability(evaluations, differingIn: .run),
            probInterFolds: probability(evaluations, differingIn: .fold),
            roiInterRuns: roi(samples, differingIn: .run, pairing: pairing, units: units),
            roiInterFolds: roi(samples, differingIn: .fold, pairing: pairing, units: units))
    }

    /// Evaluations whose two models differ in `field` (run or fold) and agree on the rest of their identity.
    private static func probability(_ evaluations: [EvaluationSample], differingIn field: StudyField) -> Mean {
        Mean(evaluations.filter { !$0.agrees(on: [field]) && $0.agrees(on: StudyField.modelIdentity.filter { $0 != field }) }.map(\.probability))
    }

    private static func roi(_ samples: [MaskSample], differingIn field: StudyField, pairing: Pairing, units: UnitVectors) -> Mean {
        var sum = CompensatedSum(), count = 0
        PairCosines.forEachSum(samples, differingIn: field, pairing: pairing, units: units) { _, _, s, n in
            sum.add(s)
            count += n
        }
        return Mean(sum: sum.value, count: count)
    }
}
