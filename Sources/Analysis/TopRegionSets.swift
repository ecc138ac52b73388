/// Each mask's `k` densest regions as a set of bits, for the Jaccard index of two masks'
/// top regions: |A ∩ B| / |A ∪ B|, 0 (no region in common) to 1 (the same regions).
/// The top k are taken as `TopRegions` and `VectorMeasure.stability` take them: densest
/// first, ties by region order, a region of density 0 in no top k; over the regions both
/// masks have (a study's masks, on one grid, have the same: their sets are computed once).
public struct TopRegionSets: Sendable {
    public let k: Int
    /// Each mask's top-k bits, `words` words a mask.
    private let bits: [UInt64]
    /// Each mask's set of present regions as a number (equal sets, equal numbers).
    private let regionSets: [Int]
    private let words: Int
    private let densities: [[Double?]]

    public init(_ samples: [MaskSample], k: Int) {
        self.k = k
        let length = samples.map(\.densities.count).max() ?? 0
        words = (length + 63) / 64
        var bits = [UInt64](repeating: 0, count: words * samples.count), regionSets: [Int] = []
        var known: [[Bool]: Int] = [:]
        for (index, sample) in samples.enumerated() {
            for region in Self.top(sample.densities, k: k) { bits[index * words + region / 64] |= 1 << UInt64(region % 64) }
            let present = sample.densities.map { $0 != nil }
            if let number = known[present] {
                regionSets.append(number)
            } else {
                known[present] = known.count
                regionSets.append(known.count - 1)
            }
        }
        self.bits = bits
        self.regionSets = regionSets
        densities = samples.map(\.densities)
    }

    /// The Jaccard index of masks `i` and `j`'s top regions; nil when neither has any (both
    /// all zeros on the regions they share).
    public func jaccard(_ i: Int, _ j: Int) -> Double? {
        guard regionSets[i] == regionSets[j] else { return Self.jaccard(densities[i], densities[j], k: k) }
        var common = 0, either = 0
        for w in 0..<words {
            let (a, b) = (bits[i * words + w], bits[j * words + w])
            common += (a & b).nonzeroBitCount
            either += (a | b).nonzeroBitCount
        }
        return either == 0 ? nil : Double(common) / Double(either)
    }

    /// The same index computed on its own, over the regions both vectors have.
    public static func jaccard(_ a: [Double?], _ b: [Double?], k: Int) -> Double? {
        let shared = zip(a, b).map { x, y in x != nil && y != nil }
        let topA = Set(top(zip(a, shared).map { $1 ? $0 : nil } as [Double?], k: k))
        let topB = Set(top(zip(b, shared).map { $1 ? $0 : nil } as [Double?], k: k))
        let either = topA.union(topB).count
        return either == 0 ? nil : Double(topA.intersection(topB).count) / Double(either)
    }

    /// The positions of the `k` densest present regions of positive density, ties by position.
    static func top(_ densities: [Double?], k: Int) -> [Int] {
        let present = densities.indices.filter { densities[$0] != nil }
        return top(present.map { densities[$0]! }, k: k).map { present[$0] }
    }

    /// The positions of the `k` largest positive `values`, ties by position, in position
    /// order: the k-th largest found, then those above it and as many equal to it as the k
    /// take (no sort of the regions).
    static func top(_ values: [Double], k: Int) -> [Int] {
        precondition(k >= 1, "a top k of at least one region")
        let positive = values.filter { $0 > 0 }
        guard positive.count > k else { return values.indices.filter { values[$0] > 0 } }
        let cut = positive.sorted(by: >)[k - 1]
        var equal = k - positive.count { $0 > cut }
        return values.indices.filter { r in
            if values[r] > cut { return true }
            guard values[r] == cut, equal > 0 else { return false }
            equal -= 1
            return true
        }
    }
}
