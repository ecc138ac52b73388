import CCompensatedDot
import DemoStudy
import StudyCore
import Testing

@testable import Analysis

/// The analyses sum cosines over pairs without listing them (`PairCosines`): they must give
/// what summing every pair one by one gives, on vectors with missing regions (other grids),
/// all-zero vectors and several pairing groups.
struct LinearPairsTests {
    /// Masks over 3 folds, 3 runs, 3 λ1, 2 seeds and an annotation, on three grids (grid 1
    /// lacks regions 2 and 5, grid 2 lacks region 0), some all zeros, some with zero regions.
    static func samples(seed: UInt64, count: Int) -> [MaskSample] {
        var random = SplitMix64(seed: seed)
        let regions = 7
        return (0..<count).map { i in
            let grid = Int(random.next() % 3)
            let zero = Int(random.next() % 10) == 0
            let densities: [Double?] = (0..<regions).map { r in
                if grid == 1 && (r == 2 || r == 5) || grid == 2 && r == 0 { return nil }
                return zero || Int(random.next() % 5) == 0 ? 0 : random.unit()
            }
            return MaskSample(
                id: Int64(i + 1),
                settings: [
                    .study: .text("s"), .fold: .number(Double(Int(random.next() % 3))), .run: .number(Double(Int(random.next() % 3))),
                    .model: .text(""), .lambda1: .number([0.1, 0.01, 0.001][Int(random.next() % 3)]), .lambda2: .number(0.01),
                    .parameter("seed"): .text("\(Int(random.next() % 2))"), .annotation("site"): .text("\(Int(random.next() % 4))"),
                ],
                densities: densities, voxels: Array(repeating: 1, count: regions))
        }
    }

    /// Every pair one by one: sums and counts of `value` (the cosine unless given) per (value, value) of `field`.
    static func reference(
        _ samples: [MaskSample], by field: StudyField, pairing: Pairing, value: ([Double?], [Double?]) -> Double? = Similarity.cosine
    ) -> (values: [SettingValue], sums: [[Double]], counts: [[Int]]) {
        let values = Set(samples.map { $0[field] }).sorted()
        let index = Dictionary(uniqueKeysWithValues: values.enumerated().map { ($1, $0) })
        let agree = pairing.fields(of: samples, differingIn: field)
        var sums = Array(repeating: Array(repeating: 0.0, count: values.count), count: values.count)
        var counts = Array(repeating: Array(repeating: 0, count: values.count), count: values.count)
        for i in samples.indices {
            for j in samples.indices where j > i {
                let (x, y) = (samples[i], samples[j])
                guard x[field] != y[field], agree.allSatisfy({ x[$0] == y[$0] }),
                    let c = value(x.densities, y.densities)
                else { continue }
                let (a, b) = (index[x[field]]!, index[y[field]]!)
                sums[a][b] += c
                sums[b][a] += c
                counts[a][b] += 1
                counts[b][a] += 1
            }
        }
        return (values, sums, counts)
    }

    static let pairings = [Pairing.settings, Pairing(ignore: [StudyField.parameter("seed")]), Pairing(match: [StudyField.annotation("site")])]

    @Test(arguments: [StudyField.lambda1, .fold, .run])
    func similarityMatchesEveryPairSummed(field: StudyField) {
        for (seed, pairing) in zip([1, 2, 3] as [UInt64], Self.pairings) {
            let samples = Self.samples(seed: seed, count: 400)
            let matrix = Similarity.roi(samples, by: field, pairing: pairing)
            let reference = Self.reference(samples, by: field, pairing: pairing)
            #expect(matrix.values == reference.values)
            #expect(matrix.pairs == reference.counts)
            #expect(reference.counts.joined().reduce(0, +) > 0)
            for a in matrix.values.indices {
                for b in matrix.values.indices where a != b {
                    let count = reference.counts[a][b]
                    let want = count == 0 ? nil : reference.sums[a][b] / Double(count)
                    #expect(want == nil ? matrix.means[a][b] == nil : abs(matrix.means[a][b]! - want!) <= 1e-12 * want!)
                }
            }
        }
    }

    @Test func robustnessMatchesEveryPairSummed() {
        for (seed, pairing) in zip([4, 5, 6] as [UInt64], Self.pairings) {
            let samples = Self.samples(seed: seed, count: 400)
            let table = Robustness.compute(samples, [], pairing: pairing)
            for (field, mean) in [(StudyField.run, table.roiInterRuns), (.fold, table.roiInterFolds)] {
                let reference = Self.reference(samples, by: field, pairing: pairing)
                // Each pair is in two cells, (a, b) and (b, a).
                let count = reference.counts.joined().reduce(0, +) / 2
                let sum = reference.sums.joined().reduce(0, +) / 2
                #expect(mean.count == count && count > 0)
                #expect(abs(mean.value! - sum / Double(count)) <= 1e-12 * (sum / Double(count)))
                // The pairs `Pairing.pairs` lists are those pairs (those with a cosine).
                #expect(pairing.pairs(samples, differingIn: field).filter { Similarity.cosine($0.densities, $1.densities) != nil }.count == count)
            }
        }
    }

    /// Vectors of different lengths (over two atlases, which a study's selection refuses) are
    /// compared over the regions they share, as pairs one by one compare them, not misread.
    @Test func vectorsOfDifferentLengthsAreComparedAsPairsOneByOne() {
        let samples = Self.samples(seed: 7, count: 120).enumerated().map { index, sample in
            var sample = sample
            if index % 3 == 0 { sample.densities.append(index % 2 == 0 ? nil : 0.5) }
            return sample
        }
        let matrix = Similarity.roi(samples, by: .lambda1, pairing: .settings)
        let reference = Self.reference(samples, by: .lambda1, pairing: .settings)
        #expect(matrix.pairs == reference.counts)
        for a in matrix.values.indices {
            for b in matrix.values.indices where a != b && reference.counts[a][b] > 0 {
                let want = reference.sums[a][b] / Double(reference.counts[a][b])
                #expect(abs(matrix.means[a][b]! - want) <= 1e-12 * want)
            }
        }
    }

    @Test func zeroVectorsAndOtherGridsAloneMakeNoPairs() {
        // Two masks differing in λ1: one all zeros; then one on a grid without the only region the other perturbs.
        func mask(_ id: Int64, _ lambda1: Double, _ densities: [Double?]) -> MaskSample {
            MaskSample(id: id, settings: [.study: .text("s"), .lambda1: .number(lambda1)], densities: densities, voxels: [1, 1])
        }
        #expect(Similarity.roi([mask(1, 0.1, [0, 0]), mask(2, 0.01, [1, 1])], by: .lambda1).pairs == [[0, 0], [0, 0]])
        let grids = Similarity.roi([mask(1, 0.1, [nil, 1]), mask(2, 0.01, [1, 0]), mask(3, 0.01, [1, 1])], by: .lambda1)
        #expect(grids.pairs == [[0, 1], [1, 0]] && grids.means[0][1] == 1)
    }
}

/// The C kernel's compensated dot products (`compensated_dot.c`) are `PairCosines.dot`'s to
/// the last bit, on its vector path (four pairs at once, where the machine has AVX2 and FMA)
/// and on its portable one, whatever the numbers: tiny, huge, negative, zero, cancelling.
struct CompensatedDotTests {
    static func vectors(seed: UInt64, count: Int, length: Int) -> [[Double]] {
        var random = SplitMix64(seed: seed)
        let scales = [1.0, 1e-300, 1e150, 1e-5, 3.0, 1e-160]  // products from underflow to 1e300, none overflowing
        return (0..<count).map { _ in
            (0..<length).map { _ in
                switch Int(random.next() % 12) {
                case 0: return 0
                case 1: return -random.unit()
                case 2: return 1  // exact products, whose errors are zero
                default: return random.unit() * scales[Int(random.next() % UInt64(scales.count))]
                }
            }
        }
    }

    @Test func bothPathsGiveWhatTheSwiftDotGivesBitForBit() {
        for (seed, length) in [(1, 120), (2, 7), (3, 1), (4, 0)] as [(UInt64, Int)] {
            let vectors = Self.vectors(seed: seed, count: 13, length: length)
            let pairs = vectors.indices.flatMap { i in vectors.indices.map { j in (i, j) } }  // 169: four at a time and three left
            let expected = pairs.map { PairCosines.dot(vectors[$0.0], vectors[$0.1]).bitPattern }
            #expect(PairCosines.dots(pairs, vectors).map(\.bitPattern) == expected)
            // One to three pairs left over after each four, computed in the lanes too.
            for count in 1...7 {
                #expect(PairCosines.dots(Array(pairs.prefix(count)), vectors).map(\.bitPattern) == Array(expected.prefix(count)))
            }
            let rows = vectors.flatMap { $0 }, first = pairs.map { Int32($0.0) }, second = pairs.map { Int32($0.1) }
            var portable = Array(repeating: 0.0, count: pairs.count)
            rows.withUnsafeBufferPointer { rows in
                let pointers: [UnsafePointer<Double>?] = vectors.indices.map { rows.baseAddress! + $0 * length }
                maskdb_compensated_dots_portable(pointers, length, first, second, pairs.count, &portable)
            }
            #expect(portable.map(\.bitPattern) == expected)
        }
        #expect(PairCosines.dots([], [[1, 2]]) == [])
    }
}

/// Grouping hashes keys with a hash of its own (`KeyHash`): texts equal as Strings are one
/// group whatever their bytes (é precomposed or not, after any number of ASCII bytes), and
/// distinct keys never merge, however many groups there are.
struct GroupingTests {
    static func sample(_ id: Int64, _ settings: [StudyField: SettingValue]) -> MaskSample {
        MaskSample(id: id, settings: settings, densities: [1], voxels: [1])
    }

    @Test func textsEqualAsStringsAreOneGroup() {
        for prefix in ["", "abcd", "abcdefgh", "abcdefghijkl"] {  // é at byte 3, 7, 11 and 15
            let composed = Self.sample(1, [.subjects: .text(prefix + "caf\u{E9}")])
            let decomposed = Self.sample(2, [.subjects: .text(prefix + "cafe\u{301}")])
            let other = Self.sample(3, [.subjects: .text(prefix + "cafe")])
            #expect(Pairing.groupIndices([composed, decomposed, other], by: [.subjects]) == [[2], [0, 1]], "prefix \(prefix)")
        }
    }

    @Test func manyKeysGroupAsADictionaryWould() {
        var random = SplitMix64(seed: 7)
        let samples = (0..<5000).map { i in
            Self.sample(Int64(i), [
                .fold: .number(Double(random.next() % 5)), .run: .number(Double(random.next() % 40)),
                .model: .text("model-\(random.next() % 30)"), .lambda1: random.next() % 4 == 0 ? .missing : .number(0.1),
            ])
        }
        let fields: [StudyField] = [.fold, .lambda1, .model, .run]
        let expected = Dictionary(grouping: samples.indices) { i in fields.map { samples[i][$0] } }
        let groups = Pairing.groupIndices(samples, by: fields)
        #expect(groups.count == expected.count)
        for group in groups { #expect(expected[fields.map { samples[group[0]][$0] }] == group) }
        // In order of their keys.
        let keys = groups.map { group in fields.map { samples[group[0]][$0] } }
        #expect(zip(keys, keys.dropFirst()).allSatisfy { $0.lexicographicallyPrecedes($1) })
    }
}
