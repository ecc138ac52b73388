import StudyCore

/// How an analysis gets the sums of a measure over the pairs `Pairing` makes.
public enum PairMeasure: Sendable {
    /// A cosine of (transformed) vectors, summed over groups in time linear in the masks
    /// (`PairCosines`): the cosine, Pearson, Spearman, the top-k stability.
    case vectors(UnitVectors)
    /// A value computed pair by pair from positions in the samples, nil where the pair has
    /// none (the top-k Jaccard, the voxel measures): every pair is visited, none is kept.
    case pairs(@Sendable (Int, Int) -> Double?)

    /// Calls `body(a, b, sum, count, x, y)` for each part of the pairs of `samples` that
    /// differ in `field` and agree on every field `pairing` matches, as
    /// `PairCosines.forEachPartSum` does, whichever way the measure is summed.
    func forEachPartSum(
        _ samples: [MaskSample], differingIn field: StudyField, pairing: Pairing,
        _ body: (SettingValue, SettingValue, Double, Int, Int, Int) -> Void
    ) {
        switch self {
        case .vectors(let units): PairCosines.forEachPartSum(samples, differingIn: field, pairing: pairing, units: units, body)
        case .pairs(let value): PairValues.forEachPartSum(samples, differingIn: field, pairing: pairing, value: value, body)
        }
    }
}

/// The sums of a measure evaluated pair by pair over the pairs `Pairing` makes: streamed,
/// in memory bounded by one group's members, its groups on every core.
enum PairValues {
    static func forEachPartSum(
        _ samples: [MaskSample], differingIn field: StudyField, pairing: Pairing, value: @Sendable (Int, Int) -> Double?,
        _ body: (SettingValue, SettingValue, Double, Int, Int, Int) -> Void
    ) {
        let groups = Pairing.groupIndices(samples, by: pairing.fields(of: samples, differingIn: field))
        let ranges = Concurrently.ranges(groups.count) { groups[$0].count * groups[$0].count }
        let sums = Concurrently.map(ranges.count) { part in
            var sums: [(SettingValue, SettingValue, Double, Int, Int, Int)] = []
            for g in ranges[part] {
                // The group's masks by their value of `field`, in order of first appearance (by id).
                var reader = FieldReader([field])
                var parts: [(value: SettingValue, members: [Int])] = []
                for member in groups[g].sorted(by: { samples[$0].id < samples[$1].id }) {
                    let v = reader.value(of: samples[member])
                    if let k = parts.firstIndex(where: { $0.value == v }) { parts[k].members.append(member) } else { parts.append((v, [member])) }
                }
                for i in parts.indices {
                    for j in parts.indices where j > i {
                        var sum = CompensatedSum(), count = 0
                        for x in parts[i].members {
                            for y in parts[j].members {
                                guard let v = value(x, y) else { continue }
                                sum.add(v)
                                count += 1
                            }
                        }
                        sums.append((parts[i].value, parts[j].value, sum.value, count, parts[i].members[0], parts[j].members[0]))
                    }
                }
            }
            return sums
        }
        for (a, b, sum, count, x, y) in sums.joined() { body(a, b, sum, count, x, y) }
    }
}
