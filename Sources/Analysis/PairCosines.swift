import CCompensatedDot
import StudyCore

/// The sums of ROI cosines over the pairs `Pairing` makes, in time linear in the masks
/// (no list of pairs is built).
///
/// Within a pairing group, masks x with `field` = v and the same regions R (every mask on
/// one grid has the same) pair with masks y with `field` = w and regions R into cosines
/// x/|x| . y/|y|, whose sum over those pairs is U_v . U_w with U = Σ x/|x|: one dot product
/// instead of n_v n_w. Masks with other regions R' are compared over R ∩ R', where their
/// norms differ, so those pairs are summed one by one (streamed). A vector all zeros on its
/// regions has no cosine with anything (`Similarity.cosine` is nil) and is left out.
enum PairCosines {
    /// Calls `body(a, b, sum, count)` for each part of the pairs of `samples` that differ
    /// in `field` and agree on every field `pairing` matches: `a` and `b` are the two
    /// masks' values of `field`, `sum` the (compensated) sum of their `count` cosines.
    /// Pairs with `a` and `b` swapped come in the same call, in either order.
    static func forEachSum(
        _ samples: [MaskSample], differingIn field: StudyField, pairing: Pairing,
        _ body: (SettingValue, SettingValue, Double, Int) -> Void
    ) {
        let fields = pairing.fields(of: samples, differingIn: field)
        let groups = Pairing.groupIndices(samples, by: fields)
        // The groups' sums computed on every core, some groups at a time, then given to
        // `body` in the groups' order: the calls a pass over the groups one by one makes.
        let ranges = Concurrently.ranges(groups.count) { groups[$0].count }
        let sums = Concurrently.map(ranges.count) { part in
            var sums: [(SettingValue, SettingValue, Double, Int)] = []
            for g in ranges[part] { groupSums(samples, groups[g], by: field) { sums.append(($0, $1, $2, $3)) } }
            return sums
        }
        for (a, b, sum, count) in sums.joined() { body(a, b, sum, count) }
    }

    /// The sums of the pairs within one group that differ in `field`, part by part.
    private static func groupSums(
        _ samples: [MaskSample], _ group: [Int], by field: StudyField, _ body: (SettingValue, SettingValue, Double, Int) -> Void
    ) {
        let parts = partitions(samples, group.sorted { samples[$0].id < samples[$1].id }, by: field)
        let unitSums = parts.map(\.unitSum)  // once per part, not once per pair of parts
        // The pairs of parts on the same regions, whose sum is one dot product: all computed
        // at once (`dots`), then given to `body` in order with the other pairs' sums.
        var dotPairs: [(Int, Int)] = []
        for i in parts.indices {
            for j in parts.indices where j > i && parts[i].value != parts[j].value && parts[i].present == parts[j].present {
                dotPairs.append((i, j))
            }
        }
        var products = dots(dotPairs, unitSums).makeIterator()
        for i in parts.indices {
            for j in parts.indices where j > i && parts[i].value != parts[j].value {
                let (p, q) = (parts[i], parts[j])
                if p.present == q.present {
                    body(p.value, q.value, products.next()!, p.members.count * q.members.count)
                } else {
                    var sum = CompensatedSum(), count = 0
                    for x in p.members {
                        for y in q.members {
                            guard let c = Similarity.cosine(samples[x].densities, samples[y].densities) else { continue }
                            sum.add(c)
                            count += 1
                        }
                    }
                    body(p.value, q.value, sum.value, count)
                }
            }
        }
    }

    /// The masks of one group with one value of the compared field and one set of regions.
    struct Partition {
        var value: SettingValue
        /// Which regions the masks have (a non-nil density): bit r % 64 of word r / 64.
        var present: [UInt64]
        /// The masks (positions in the samples), those all zeros on their regions left out.
        var members: [Int] = []
        /// Σ x/|x| over the members, per region (0 where absent): the first member's unit
        /// vector as it is (a compensated sum of one term is that term, exactly), and
        /// compensated sums from the second member on. Most parts of a small group have one.
        private var single: [Double]
        private var sums: [CompensatedSum] = []

        init(value: SettingValue, present: [UInt64], member: Int, unit: UnsafeBufferPointer<Double>) {
            self.value = value
            self.present = present
            members = [member]
            single = Array(unit)
        }

        mutating func add(member: Int, unit: UnsafeBufferPointer<Double>, densities: [Double?]) {
            if sums.isEmpty { sums = single.map { CompensatedSum(first: $0) } }
            members.append(member)
            for (r, density) in densities.enumerated() where density != nil { sums[r].add(unit[r]) }
        }

        var unitSum: [Double] { sums.isEmpty ? single : sums.map(\.value) }
        var regions: Int { single.count }
    }

    /// The masks of `group` (positions in `samples`) split by their value of `field` and
    /// their regions, in order of first appearance.
    static func partitions(_ samples: [MaskSample], _ group: [Int], by field: StudyField) -> [Partition] {
        var parts: [Partition] = []
        var reader = FieldReader([field])
        // One mask's regions and unit vector, reused from mask to mask (no allocation per mask).
        var present: [UInt64] = [], unit: [Double] = []
        for member in group {
            let densities = samples[member].densities
            if densities.count != unit.count {  // never within a study (one atlas)
                present = Array(repeating: 0, count: (densities.count + 63) / 64)
                unit = Array(repeating: 0, count: densities.count)
            }
            // The norm, and the regions present as bits (cheaper to compare than [Bool]).
            var squares = 0.0
            for w in present.indices { present[w] = 0 }
            for (r, density) in densities.enumerated() {
                guard let density else { continue }
                squares += density * density
                present[r / 64] |= 1 << UInt64(r % 64)
            }
            let norm = squares.squareRoot()
            guard norm > 0 else { continue }
            // 0 + x: what a compensated sum of the one term x holds (+0 for -0).
            for (r, density) in densities.enumerated() { unit[r] = density.map { 0 + $0 / norm } ?? 0 }
            let value = reader.value(of: samples[member])
            // A group has few parts (values of one field, nearly always one set of regions):
            // found by a look along them, not by hashing a key for every mask.
            unit.withUnsafeBufferPointer { unit in
                if let k = parts.firstIndex(where: { $0.value == value && $0.present == present && $0.regions == unit.count }) {
                    parts[k].add(member: member, unit: unit, densities: densities)
                } else {
                    parts.append(Partition(value: value, present: present, member: member, unit: unit))
                }
            }
        }
        return parts
    }

    /// `dot(vectors[i], vectors[j])` of each pair (i, j), to the last bit, by the C kernel
    /// (`compensated_dot.c`): with the fma of the machine and four pairs at once where it has
    /// AVX2, which a baseline x86-64 Swift build cannot use (its fma is a library call).
    static func dots(_ pairs: [(Int, Int)], _ vectors: [[Double]]) -> [Double] {
        guard let length = vectors.first?.count, !pairs.isEmpty else { return [] }
        // The kernel reads rows of one length (a study's vectors are over one atlas).
        guard vectors.allSatisfy({ $0.count == length }) else { return pairs.map { dot(vectors[$0.0], vectors[$0.1]) } }
        let rows = vectors.flatMap { $0 }
        let first = pairs.map { Int32($0.0) }, second = pairs.map { Int32($0.1) }
        return Array(unsafeUninitializedCapacity: pairs.count) { out, initialized in
            maskdb_compensated_dots(rows, length, first, second, pairs.count, out.baseAddress!)
            initialized = pairs.count
        }
    }

    /// Σ a_i b_i, each product's rounding error kept (fma) and the sum compensated.
    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var sum = CompensatedSum()
        for (x, y) in zip(a, b) {
            let product = x * y
            sum.add(product)
            sum.add((-product).addingProduct(x, y))  // x * y - product, exactly (fma)
        }
        return sum.value
    }
}

/// Neumaier's compensated sum: the rounding error of each addition is kept aside, so a
/// sum of many terms is as exact as one addition (a naive sum drifts with the count).
struct CompensatedSum {
    private var sum = 0.0
    private var compensation = 0.0

    init() {}

    /// The sum of one term, `x`, as `add(x)` leaves an empty sum.
    init(first x: Double) { sum = 0 + x }

    mutating func add(_ x: Double) {
        let t = sum + x
        compensation += abs(sum) >= abs(x) ? (sum - t) + x : (x - t) + sum
        sum = t
    }

    var value: Double { sum + compensation }
}
