/// The agreement measures of two density vectors that are cosines of transformed vectors,
/// so that their sums over all pairs of two groups follow from sums of unit vectors
/// (`PairCosines`, `UnitVectors`) in time linear in the masks. Each is computed over the
/// regions both masks have (a study's masks, on one grid, all have the same).
public enum VectorMeasure: Sendable, Equatable, Hashable {
    /// The cosine of the density vectors: 0 (no region in common) to 1 (the same
    /// proportions); densities are never negative.
    case cosine
    /// Pearson's correlation of the density vectors (the cosine of the vectors centred on
    /// their mean): -1 to 1, 1 = the same profile across regions up to scale and offset.
    case pearson
    /// Spearman's correlation: Pearson's of the regions' ranks, ties given their average
    /// rank (scipy's `spearmanr`): -1 to 1, 1 = the same order of regions.
    case spearman
    /// The stability of the top-`k` regions (Nogueira, Sechidis & Brown 2018, JMLR
    /// 18(174)): Pearson's correlation of the two masks' indicator vectors of their `k`
    /// densest regions (ties by region order; a region of density 0 is in no top k), whose
    /// mean over pairs is Nogueira's estimator Φ when every mask has k such regions. -1 to
    /// 1: 1 = the same regions, 0 = what selections drawn at random agree on.
    case stability(k: Int)

    /// The vector whose cosine with another's gives the measure, from the values of the
    /// regions present (in region order); `order` is scratch space.
    func transform(_ values: inout [Double], _ order: inout [Int]) {
        switch self {
        case .cosine: return
        case .pearson: break
        case .spearman: Self.rank(&values, &order)
        case .stability(let k):
            let top = TopRegionSets.top(values, k: k)
            for r in values.indices { values[r] = 0 }
            for r in top { values[r] = 1 }
        }
        Self.centre(&values)
    }

    /// The measure of two density vectors over the regions both have, computed on its own
    /// (nil where a transformed vector is all zeros: a constant profile has no correlation).
    public func value(_ a: [Double?], _ b: [Double?]) -> Double? {
        // The cosine needs no copy (it is the pairs' path across grids).
        if self == .cosine { return Similarity.cosine(a, b) }
        var x: [Double] = [], y: [Double] = [], order: [Int] = []
        for (u, v) in zip(a, b) {
            guard let u, let v else { continue }
            x.append(u)
            y.append(v)
        }
        transform(&x, &order)
        transform(&y, &order)
        var dot = 0.0, normX = 0.0, normY = 0.0
        for (u, v) in zip(x, y) {
            dot += u * v
            normX += u * u
            normY += v * v
        }
        guard normX > 0, normY > 0 else { return nil }
        return dot / (normX.squareRoot() * normY.squareRoot())
    }

    /// Values less their mean; all 0 when they are all equal (a constant profile, which the
    /// rounding of its mean would otherwise leave as tiny values of any sign).
    private static func centre(_ values: inout [Double]) {
        guard let first = values.first else { return }
        guard values.contains(where: { $0 != first }) else {
            for r in values.indices { values[r] = 0 }
            return
        }
        var sum = CompensatedSum()
        for value in values { sum.add(value) }
        let mean = sum.value / Double(values.count)
        for r in values.indices { values[r] -= mean }
    }

    /// Each value replaced by its rank (1 = smallest), tied values by their average rank.
    private static func rank(_ values: inout [Double], _ order: inout [Int]) {
        order = Array(values.indices)
        order.sort { values[$0] < values[$1] || (values[$0] == values[$1] && $0 < $1) }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count && values[order[end]] == values[order[start]] { end += 1 }
            // Ranks start + 1 ... end, averaged.
            let average = Double(start + 1 + end) / 2
            for position in start..<end { ranks[order[position]] = average }
            start = end
        }
        values = ranks
    }
}
