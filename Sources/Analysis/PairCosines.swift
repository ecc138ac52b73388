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
    /// Pairs with `a` and `b` swapped come in the same call, in either order. `units`: the
    /// samples' unit vectors, when the caller has them (computed here otherwise).
    static func forEachSum(
        _ samples: [MaskSample], differingIn field: StudyField, pairing: Pairing, units: UnitVectors? = nil,
        _ body: (SettingValue, SettingValue, Double, Int) -> Void
    ) {
        forEachPartSum(samples, differingIn: field, pairing: pairing, units: units) { a, b, sum, count, _, _ in body(a, b, sum, count) }
    }

    /// The same sums, each with a mask of each of its two parts (positions in `samples`):
    /// the parts' masks agree on every field `pairing` matches but `field`, so one mask
    /// tells them all (their model, for the model bootstrap).
    static func forEachPartSum(
        _ samples: [MaskSample], differingIn field: StudyField, pairing: Pairing, units: UnitVectors? = nil,
        _ body: (SettingValue, SettingValue, Double, Int, Int, Int) -> Void
    ) {
        let units = units ?? UnitVectors(samples)
        precondition(units.count == samples.count, "the unit vectors of these samples")
        let fields = pairing.fields(of: samples, differingIn: field)
        let groups = Pairing.groupIndices(samples, by: fields)
        // The groups' sums computed on every core, some groups at a time, then given to
        // `body` in the groups' order: the calls a pass over the groups one by one makes.
        let ranges = Concurrently.ranges(groups.count) { groups[$0].count }
        let sums = Concurrently.map(ranges.count) { part in
            var sums: [(SettingValue, SettingValue, Double, Int, Int, Int)] = []
            var scratch = Scratch()
            for g in ranges[part] {
                groupSums(samples, units, groups[g], by: field, &scratch) { sums.append(($0, $1, $2, $3, $4, $5)) }
            }
            return sums
        }
        for (a, b, sum, count, x, y) in sums.joined() { body(a, b, sum, count, x, y) }
    }

    /// What the sums of one group need and the next group reuses (no allocation per group).
    private struct Scratch {
        var parts: [Partition] = []
        var dotPairs: [(Int32, Int32)] = []
    }

    /// The sums of the pairs within one group that differ in `field`, part by part.
    private static func groupSums(
        _ samples: [MaskSample], _ units: UnitVectors, _ group: [Int], by field: StudyField, _ scratch: inout Scratch,
        _ body: (SettingValue, SettingValue, Double, Int, Int, Int) -> Void
    ) {
        partitions(samples, units, group.sorted { samples[$0].id < samples[$1].id }, by: field, into: &scratch.parts)
        let parts = scratch.parts
        // The pairs of parts on the same regions, whose sum is one dot product: all computed
        // at once (`dots`), then given to `body` in order with the other pairs' sums.
        scratch.dotPairs.removeAll(keepingCapacity: true)
        for i in parts.indices {
            for j in parts.indices where j > i && parts[i].value != parts[j].value && parts[i].regions == parts[j].regions {
                scratch.dotPairs.append((Int32(i), Int32(j)))
            }
        }
        var products = dots(scratch.dotPairs, parts, units).makeIterator()
        for i in parts.indices {
            for j in parts.indices where j > i && parts[i].value != parts[j].value {
                let (p, q) = (parts[i], parts[j])
                if p.regions == q.regions {
                    body(p.value, q.value, products.next()!, p.members.count * q.members.count, p.members[0], q.members[0])
                } else {
                    var sum = CompensatedSum(), count = 0
                    for x in p.members {
                        for y in q.members {
                            guard let c = units.measure.value(samples[x].densities, samples[y].densities) else { continue }
                            sum.add(c)
                            count += 1
                        }
                    }
                    body(p.value, q.value, sum.value, count, p.members[0], q.members[0])
                }
            }
        }
    }

    /// The masks of one group with one value of the compared field and one set of regions.
    struct Partition {
        var value: SettingValue
        /// Which regions the masks have (`UnitVectors.regionSets`).
        var regions: Int32
        /// The masks (positions in the samples), those all zeros on their regions left out.
        var members: [Int]
        /// Σ x/|x| over the members, per region (0 where absent), from the second member on:
        /// compensated sums started from the first member's unit vector (a compensated sum
        /// of one term is that term, exactly). Most parts of a small group have one member,
        /// whose unit vector is the sum as it is.
        var sums: [CompensatedSum] = []
    }

    /// The masks of `group` (positions in `samples`) split by their value of `field` and
    /// their regions, in order of first appearance.
    static func partitions(_ samples: [MaskSample], _ units: UnitVectors, _ group: [Int], by field: StudyField, into parts: inout [Partition]) {
        parts.removeAll(keepingCapacity: true)
        var reader = FieldReader([field])
        for member in group {
            let regions = units.regionSets[member]
            guard regions >= 0 else { continue }
            let value = reader.value(of: samples[member])
            // A group has few parts (values of one field, nearly always one set of regions):
            // found by a look along them, not by hashing a key for every mask.
            guard let k = parts.firstIndex(where: { $0.regions == regions && $0.value == value }) else {
                parts.append(Partition(value: value, regions: regions, members: [member]))
                continue
            }
            // The sums taken out while they grow, so that the array is not shared.
            var sums = parts[k].sums
            parts[k].sums = []
            units.rows.withUnsafeBufferPointer { rows in
                let start = units.offsets[member], length = units.length(of: member)
                if sums.isEmpty {
                    let first = units.offsets[parts[k].members[0]]
                    sums = (0..<length).map { CompensatedSum(first: rows[first + $0]) }
                }
                // Absent regions add 0 to a sum of 0, which leaves it as it is, bit for bit.
                sums.withUnsafeMutableBufferPointer { sums in
                    for r in 0..<length { sums[r].add(rows[start + r]) }
                }
            }
            parts[k].sums = sums
            parts[k].members.append(member)
        }
    }

    /// The dot product of the summed unit vectors of parts i and j for each pair (i, j), to
    /// the last bit, by the C kernel (`compensated_dot.c`): with the fma of the machine and
    /// four pairs at once where it has AVX2, which a baseline x86-64 Swift build cannot use
    /// (its fma is a library call). A part of one member is its row of `units`, read in place.
    private static func dots(_ pairs: [(Int32, Int32)], _ parts: [Partition], _ units: UnitVectors) -> [Double] {
        guard !pairs.isEmpty else { return [] }
        let length = units.length(of: parts[0].members[0])
        // The kernel reads vectors of one length (a study's vectors are over one atlas).
        guard parts.allSatisfy({ units.length(of: $0.members[0]) == length }) else {
            return pairs.map { dot(units.sum(of: parts[Int($0.0)]), units.sum(of: parts[Int($0.1)])) }
        }
        let summed = parts.flatMap { $0.sums.map(\.value) }
        return units.rows.withUnsafeBufferPointer { rows in
            summed.withUnsafeBufferPointer { summed in
                var next = 0
                let vectors: [UnsafePointer<Double>?] = parts.map { part in
                    guard !part.sums.isEmpty else { return rows.baseAddress! + units.offsets[part.members[0]] }
                    defer { next += length }
                    return summed.baseAddress! + next
                }
                return kernel(vectors, length, pairs)
            }
        }
    }

    /// The C kernel's dot products of `vectors` (pointers, each to `length` doubles), pair by pair.
    private static func kernel(_ vectors: [UnsafePointer<Double>?], _ length: Int, _ pairs: [(Int32, Int32)]) -> [Double] {
        let first = pairs.map(\.0), second = pairs.map(\.1)
        return Array(unsafeUninitializedCapacity: pairs.count) { out, initialized in
            maskdb_compensated_dots(vectors, length, first, second, pairs.count, out.baseAddress!)
            initialized = pairs.count
        }
    }

    /// `dot(vectors[i], vectors[j])` of each pair (i, j), by the C kernel as the analyses call it (for the tests).
    static func dots(_ pairs: [(Int, Int)], _ vectors: [[Double]]) -> [Double] {
        guard let length = vectors.first?.count, !pairs.isEmpty else { return [] }
        guard vectors.allSatisfy({ $0.count == length }) else { return pairs.map { dot(vectors[$0.0], vectors[$0.1]) } }
        let rows = vectors.flatMap { $0 }
        return rows.withUnsafeBufferPointer { rows in
            let pointers: [UnsafePointer<Double>?] = vectors.indices.map { rows.baseAddress! + $0 * length }
            return kernel(pointers, length, pairs.map { (Int32($0.0), Int32($0.1)) })
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

/// Every sample's unit vector and set of regions, computed once for all the analyses of a
/// selection (similarity and both robustness comparisons read the same ones): of its
/// density vector for the cosine, of the vector `measure` transforms it to for the others.
public struct UnitVectors: Sendable {
    /// Which measure the vectors' cosines give.
    public let measure: VectorMeasure
    /// Each sample's x/|x| over its regions (0 where a region is absent), one after another;
    /// 0 + x/|x|, what a compensated sum of the one term holds (+0 for -0).
    let rows: [Double]
    /// Where each sample's row starts in `rows`, and one more: the end of the last.
    let offsets: [Int]
    /// Each sample's set of present regions (a non-nil density) and its vector's length, as
    /// a number: equal sets, equal numbers. -1: a vector all zeros on its regions, which has
    /// no cosine with anything (`Similarity.cosine` is nil) and is left out.
    let regionSets: [Int32]

    public var count: Int { regionSets.count }

    public init(_ samples: [MaskSample], measure: VectorMeasure = .cosine) {
        self.measure = measure
        var rows: [Double] = [], offsets = [0], regionSets: [Int32] = []
        rows.reserveCapacity(samples.first.map { $0.densities.count * samples.count } ?? 0)
        var known: [[UInt64]: Int32] = [:]
        // One mask's regions as bits (cheaper to compare than [Bool]), then its length.
        var present: [UInt64] = []
        var values: [Double] = [], order: [Int] = []
        for index in samples.indices {
            samples[index].densities.withUnsafeBufferPointer { densities in
                let words = (densities.count + 63) / 64
                if present.count != words + 1 { present = Array(repeating: 0, count: words + 1) }
                for w in 0..<words { present[w] = 0 }
                present[words] = UInt64(densities.count)
                var squares = 0.0
                for r in densities.indices {
                    guard let density = densities[r] else { continue }
                    squares += density * density
                    present[r / 64] |= 1 << UInt64(r % 64)
                }
                let norm: Double
                if measure == .cosine {
                    norm = squares.squareRoot()
                    for r in densities.indices { rows.append(densities[r].map { norm > 0 ? 0 + $0 / norm : 0 } ?? 0) }
                } else {
                    // The present regions' values transformed, then written as a unit vector.
                    values.removeAll(keepingCapacity: true)
                    for density in densities { if let density { values.append(density) } }
                    measure.transform(&values, &order)
                    norm = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
                    var next = values.startIndex
                    for density in densities {
                        guard density != nil else { rows.append(0); continue }
                        rows.append(norm > 0 ? 0 + values[next] / norm : 0)
                        next += 1
                    }
                }
                offsets.append(rows.count)
                guard norm > 0 else { return regionSets.append(-1) }
                if let known = known[present] { return regionSets.append(known) }
                let number = Int32(known.count)
                known[present] = number
                regionSets.append(number)
            }
        }
        self.rows = rows
        self.offsets = offsets
        self.regionSets = regionSets
    }

    func length(of sample: Int) -> Int { offsets[sample + 1] - offsets[sample] }

    /// A part's Σ x/|x| as an array (for vectors of several lengths, never within a study).
    func sum(of part: PairCosines.Partition) -> [Double] {
        part.sums.isEmpty ? Array(rows[offsets[part.members[0]]..<offsets[part.members[0] + 1]]) : part.sums.map(\.value)
    }
}
