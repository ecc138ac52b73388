import StudyCore

@testable import Analysis

/// The pairs the analyses sum over, listed one by one: the reference the linear sums
/// (`PairCosines`) are checked against.
extension Pairing {
    /// Every pair of masks that differ in `field` and agree on every field this rule matches.
    func pairs(_ samples: [MaskSample], differingIn field: StudyField) -> [(MaskSample, MaskSample)] {
        let fields = fields(of: samples, differingIn: field)
        var result: [(MaskSample, MaskSample)] = []
        for group in Self.groups(samples, by: fields) {
            let group = group.sorted { $0.id < $1.id }
            for i in group.indices {
                for j in group.indices where j > i && group[i][field] != group[j][field] {
                    result.append((group[i], group[j]))
                }
            }
        }
        return result
    }
}
