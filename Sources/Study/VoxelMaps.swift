import Analysis
import Atlas
import Dispatch
import NIfTI
import Store
import StudyCore
import Synchronization

/// A voxel measure of agreement between two stored records, computed on the voxels of
/// their stored files (`VoxelMaps`), beside the ROI cosine of their density vectors.
public enum VoxelMeasure: String, Sendable, CaseIterable, Hashable {
    /// Dice of the two sets, 2|A ∩ B| / (|A| + |B|): from 0 (disjoint) to 1 (the same set).
    case dice
    /// Jaccard of the two sets, |A ∩ B| / |A ∪ B|: from 0 (disjoint) to 1 (the same set);
    /// J = D / (2 - D), so it never exceeds Dice.
    case jaccard
    /// Pearson correlation of the two value maps over the domain: from -1 (opposite
    /// patterns) through 0 (unrelated) to 1 (the same pattern up to offset and scale).
    case pearson

    /// True for the measures of sets (they need the thresholded sets, not the values).
    public var isSetMeasure: Bool { self != .pearson }
}

/// Which voxels the voxel measures run over.
public enum VoxelDomain: String, Sendable, CaseIterable {
    /// The brain: the voxels the record's atlas (its `atlas` field: the import atlas, or the
    /// one a selection `--atlas` names) labels on the record's grid, the atlas placed
    /// nearest-neighbour as for densities. The voxels the densities and the ROI cosine see;
    /// the background's zeros would inflate Pearson and the top-q% count.
    case atlas
    /// Every voxel of the grid.
    case grid
}

/// How records become sets and value maps for the voxel measures.
///
/// A record's *values* on its domain: a mask's perturbation amount p (1 - m for `keep`,
/// m for `perturb`, computed in double precision from the scaled voxels, clamped into
/// [0, 1] as densities are); an attribution map's |a|.
/// A mask's *set*: the domain voxels with p ≥ `threshold`.
/// An attribution map's *set*: its top `topPercent` % of domain voxels by |a|: with N domain
/// voxels, k = ⌈q·N/100⌉ and c the k-th largest |a|, the voxels with |a| ≥ c and |a| > 0.
/// Ties at the cut are all in (the set may hold more than k voxels, and is the same whatever
/// the voxels' order); a voxel of |a| = 0 is never in (a map with fewer than k non-zero
/// voxels has a smaller set).
public struct VoxelOptions: Sendable, Equatable {
    /// A mask's set is its voxels of perturbation at least this (0 to 1).
    public var threshold = 0.5
    /// An attribution map's set is its top this percent of domain voxels by |a| (above 0,
    /// at most 100). 5 %: on AAL2's 1.5 mm brain (439,758 labelled voxels) some
    /// 22,000 voxels, the size of a few regions, the scale of what an optimized mask at a
    /// study's usual sparsity perturbs; and one of the few percent saliency evaluations
    /// usually keep (1, 5, 10).
    public var topPercent = 5.0
    /// Which voxels the measures run over.
    public var domain = VoxelDomain.atlas
    /// The most bytes the decoded sets and value maps may hold (default 2 GiB): a set takes
    /// 1 bit a domain voxel, a Pearson map 4 bytes (Float32). Checked before any file is decoded.
    public var memoryBudget = 2 << 30

    /// The defaults: t = 0.5, the top 5 %, the atlas's voxels, 2 GiB.
    public init(threshold: Double = 0.5, topPercent: Double = 5.0, domain: VoxelDomain = .atlas, memoryBudget: Int = 2 << 30) {
        self.threshold = threshold
        self.topPercent = topPercent
        self.domain = domain
        self.memoryBudget = memoryBudget
    }
}

/// What the voxel measures cannot do with a selection, each a one-line message.
public enum VoxelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The threshold is not a number from 0 to 1.
    case badThreshold(Double)
    /// The top percentage is not above 0 and at most 100.
    case badTopPercent(Double)
    /// The selection's sets and maps would take more memory than the budget.
    case overBudget(records: Int, files: Int, bytes: Int, budget: Int, measures: [VoxelMeasure])
    /// A stored file's voxels on its domain hold NaN or infinity.
    case notFinite(record: String, count: Int)
    /// A stored file's voxels do not fill its recorded grid (several volumes, other sizes).
    case voxelsNotOnGrid(record: String, voxels: Int, shape: [Int])

    /// The message.
    public var description: String {
        switch self {
        case let .badThreshold(t):
            "the voxel threshold \(t) is not a number from 0 to 1"
        case let .badTopPercent(q):
            "the top percentage \(q) of an attribution map's voxels is not above 0 and at most 100"
        case let .overBudget(records, files, bytes, budget, measures):
            "the voxel \(measures.map(\.rawValue).joined(separator: ", ")) of \(records) records (\(files) files) would hold "
                + "\(Self.mebibytes(bytes)) MiB, more than the \(Self.mebibytes(budget)) MiB budget; refused before decoding: "
                + "narrow the selection with --where (e.g. --where \"fold = 0\")"
                + (measures.contains(.pearson) && measures.count > 1 ? " or leave pearson out (4 bytes a voxel; a set takes 1 bit)" : "")
        case let .notFinite(record, count):
            "\(record): \(count) voxels are NaN or infinite; run maskdb verify, or remove and re-import the file"
        case let .voxelsNotOnGrid(record, voxels, shape):
            "\(record): its stored file has \(voxels) voxels, not one volume of its recorded grid \(shape.map(String.init).joined(separator: " x ")); run maskdb verify"
        }
    }

    private static func mebibytes(_ bytes: Int) -> String {
        let value = Double(bytes) / Double(1 << 20)
        return value >= 10 ? String(Int(value.rounded())) : String((value * 10).rounded() / 10)
    }
}

/// Stored records decoded once for voxel measures between them: each record's set as a
/// bitset over its domain's voxels and its values as a centred unit-norm Float32 vector, so
/// that a pair's Dice or Jaccard is one AND-popcount pass and its Pearson one dot product.
///
/// Pairs are asked by positions in `masks` as given to `load`. A pair has no value (nil) when
/// the two records are on different domains (other grids, sizes or affines beyond 1e-4 mm, or
/// other atlases): voxels of two grids are not the same places. Dice has none when both sets
/// are empty, Jaccard when their union is; Pearson has none when either map is constant on
/// its domain (no variance).
public struct VoxelMaps: Sendable {
    /// How many records (positions) there are.
    public var count: Int { viewOf.count }
    /// How many stored files were decoded (records of one file are decoded once).
    public let filesDecoded: Int
    /// The measures loaded.
    public let measures: Set<VoxelMeasure>
    /// The options the sets were made with.
    public let options: VoxelOptions

    /// Per position, its view (a file's values on one domain under one semantics).
    private let viewOf: [Int]
    /// Per mask id, its first position.
    private let positionOfID: [Int64: Int]
    private let views: [View]
    private let domains: [Domain]

    /// The voxels a record's measures run over: runs of voxel indices in file order.
    struct Domain: Sendable {
        var shape: [Int]
        var affine: Affine
        /// The atlas whose labelled voxels these are (nil: every voxel of the grid).
        var atlas: String?
        var runs: [Range<Int>]
        var count: Int

        func same(shape other: [Int], affine otherAffine: Affine, atlas otherAtlas: String?) -> Bool {
            shape == other && atlas == otherAtlas && affine.isClose(to: otherAffine)
        }
    }

    /// One file's set and values on one domain.
    struct View: Sendable {
        var domain: Int
        /// The set's size.
        var setSize = 0
        /// The set, a bit per domain voxel (nil when no set measure was asked).
        var bits: [UInt64]? = nil
        /// The centred unit-norm values (nil when Pearson was not asked or the map is constant).
        var unit: [Float]? = nil
    }

    /// Decodes each of `masks` (in selection order) from its stored file once for
    /// `measures`: every file's bytes checked against its sha256 first (`maskFileBytes`:
    /// a mismatch is `StoreError.damagedFile`, naming the record and `maskdb verify`), records
    /// of one file (sha256) decoded once, on `jobs` workers, each placed on its recorded grid.
    /// Before any file is decoded, a selection whose sets and maps would hold more than
    /// `options.memoryBudget` is refused (`VoxelError.overBudget`).
    public static func load(
        store: any StudyStore, masks: [MaskRecord], options: VoxelOptions = VoxelOptions(), measures: Set<VoxelMeasure>, jobs: Int
    ) throws -> VoxelMaps {
        guard options.threshold.isFinite, (0...1).contains(options.threshold) else { throw VoxelError.badThreshold(options.threshold) }
        guard options.topPercent.isFinite, options.topPercent > 0, options.topPercent <= 100 else {
            throw VoxelError.badTopPercent(options.topPercent)
        }
        let grids = try store.measuredGrids(maskIDs: masks.map(\.id))

        // Domains, before any mask is decoded: atlases read (checked) and placed once per grid.
        var calculators: [String: DensityCalculator] = [:]
        var domains: [Domain] = []
        var views: [View] = []
        var viewOf: [Int] = []
        var viewOfKey: [String: Int] = [:]
        // Per view: its file's first record (read for its bytes), its grid and its values' rule.
        var sources: [(mask: MaskRecord, grid: MeasuredGrid)] = []
        for mask in masks {
            guard let grid = grids[mask.id] else { throw StoreError.notRecorded(target: String(mask.id)) }
            let atlas = options.domain == .atlas ? mask.atlas : nil
            let domain: Int
            if let known = domains.firstIndex(where: { $0.same(shape: grid.grid.shape, affine: grid.grid.affine, atlas: atlas) }) {
                domain = known
            } else {
                let runs: [Range<Int>]
                if let atlas {
                    if calculators[atlas] == nil { calculators[atlas] = DensityCalculator(atlas: try store.atlas(named: atlas)) }
                    let placed = try calculators[atlas]!.grid(shape: grid.grid.shape, affine: grid.grid.affine, path: "mask \(mask.id)")
                    runs = Self.merged(placed.runs.map { $0.start..<($0.start + $0.count) })
                } else {
                    runs = [0..<grid.grid.shape.reduce(1, *)]
                }
                domain = domains.count
                domains.append(Domain(shape: grid.grid.shape, affine: grid.grid.affine, atlas: atlas, runs: runs, count: runs.reduce(0) { $0 + $1.count }))
            }
            // Keep and perturb records of one file have other perturbations: another view.
            let key = "\(mask.sha256) \(domain) \(mask.semantics.rawValue)"
            if let known = viewOfKey[key] {
                viewOf.append(known)
            } else {
                viewOfKey[key] = views.count
                viewOf.append(views.count)
                views.append(View(domain: domain))
                sources.append((mask, grid))
            }
        }

        let wantsSets = measures.contains { $0.isSetMeasure }
        let wantsPearson = measures.contains(.pearson)
        let bytes = views.reduce(0) { total, view in
            let n = domains[view.domain].count
            return total + (wantsSets ? (n + 63) / 64 * 8 : 0) + (wantsPearson ? n * 4 : 0)
        }
        // Files decoded: one per sha256, each serving its views.
        var unitOfFile: [String: Int] = [:]
        var units: [[Int]] = []
        for (view, source) in sources.enumerated() {
            if let unit = unitOfFile[source.mask.sha256] {
                units[unit].append(view)
            } else {
                unitOfFile[source.mask.sha256] = units.count
                units.append([view])
            }
        }
        guard bytes <= options.memoryBudget else {
            throw VoxelError.overBudget(
                records: masks.count, files: units.count, bytes: bytes, budget: options.memoryBudget,
                measures: VoxelMeasure.allCases.filter(measures.contains))
        }

        let results = ResultSlots<Result<[View], any Error>>(count: units.count)
        let next = Atomic(0)
        let failed = Atomic(false)
        let workers = max(1, min(jobs, units.count))
        let (domainsNow, sourcesNow, viewsNow, unitsNow) = (domains, sources, views, units)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while !failed.load(ordering: .relaxed) {
                let unit = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard unit < unitsNow.count else { return }
                let result = Result { () throws -> [View] in
                    let first = sourcesNow[unitsNow[unit][0]].mask
                    let image = try NIfTIImage(fileBytes: try store.maskFileBytes(maskID: first.id), path: "mask \(first.id)")
                    return try unitsNow[unit].map { view in
                        let (mask, grid) = sourcesNow[view]
                        var made = viewsNow[view]
                        try Self.fill(&made, image: image, mask: mask, grid: grid, domain: domainsNow[made.domain], options: options,
                                      sets: wantsSets, pearson: wantsPearson)
                        return made
                    }
                }
                if case .failure = result { failed.store(true, ordering: .relaxed) }
                results.set(unit, result)
            }
        }
        // The first failure in the files' order, so that a selection fails alike at any --jobs
        // (after one, the units not yet begun are left without a result).
        for unit in units.indices { if case .failure(let error)? = results[unit] { throw error } }
        for unit in units.indices {
            guard let made = try results[unit]?.get() else { continue }
            for (view, filled) in zip(units[unit], made) { views[view] = filled }
        }
        var positionOfID: [Int64: Int] = [:]
        for (position, mask) in masks.enumerated() where positionOfID[mask.id] == nil { positionOfID[mask.id] = position }
        return VoxelMaps(
            filesDecoded: units.count, measures: measures, options: options, viewOf: viewOf, positionOfID: positionOfID, views: views,
            domains: domains)
    }

    /// Sorted, non-empty runs with touching ones joined.
    static func merged(_ runs: [Range<Int>]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        for run in runs.sorted(by: { $0.lowerBound < $1.lowerBound }) where !run.isEmpty {
            if let last = out.last, last.upperBound >= run.lowerBound {
                out[out.count - 1] = last.lowerBound..<max(last.upperBound, run.upperBound)
            } else {
                out.append(run)
            }
        }
        return out
    }

    /// Makes `view`'s set and unit vector from the decoded `image` of `mask`.
    private static func fill(
        _ view: inout View, image: NIfTIImage, mask: MaskRecord, grid: MeasuredGrid, domain: Domain, options: VoxelOptions,
        sets: Bool, pearson: Bool
    ) throws {
        let record = "mask \(mask.id)"
        let placed = try grid.reference.map { try image.placed(on: $0.grid, gridPath: $0.source) } ?? image
        let voxels = domain.shape.reduce(1, *)
        guard placed.layout.voxelCount == voxels else {
            throw VoxelError.voxelsNotOnGrid(record: record, voxels: placed.layout.voxelCount, shape: domain.shape)
        }
        var values = Self.values(of: placed, on: domain)
        let notFinite = values.count { !$0.isFinite }
        guard notFinite == 0 else { throw VoxelError.notFinite(record: record, count: notFinite) }
        let attribution = mask.semantics == .attribution
        let flip = mask.semantics == .keep
        for i in values.indices {
            values[i] = attribution ? abs(values[i]) : min(max(flip ? 1 - values[i] : values[i], 0), 1)
        }
        if sets {
            let cut: Double
            if attribution {
                let k = min(values.count, Int((options.topPercent * Double(values.count) / 100).rounded(.up)))
                cut = k == 0 ? .infinity : Swift.max(Self.kthLargest(values, k), .leastNonzeroMagnitude)
            } else {
                cut = options.threshold
            }
            var bits = [UInt64](repeating: 0, count: (values.count + 63) / 64)
            var size = 0
            for (i, v) in values.enumerated() where v >= cut {
                bits[i >> 6] |= 1 << UInt64(i & 63)
                size += 1
            }
            view.bits = bits
            view.setSize = size
        }
        if pearson, let low = values.min(), let high = values.max(), low < high {
            let mean = values.reduce(0, +) / Double(values.count)
            var squares = 0.0
            for v in values { squares += (v - mean) * (v - mean) }
            let norm = squares.squareRoot()
            view.unit = values.map { Float(($0 - mean) / norm) }
        }
    }

    /// The scaled voxels of `image` on `domain`'s runs, in double precision (as nibabel's
    /// `get_fdata`), decoded a block at a time.
    static func values(of image: NIfTIImage, on domain: Domain) -> [Double] {
        var out = [Double]()
        out.reserveCapacity(domain.count)
        var run = 0
        image.forEachDoubleVoxelBlock { block, first in
            let end = first + block.count
            while run < domain.runs.count, domain.runs[run].lowerBound < end {
                let r = domain.runs[run]
                let lower = Swift.max(r.lowerBound, first), upper = Swift.min(r.upperBound, end)
                if lower < upper { out.append(contentsOf: block[(lower - first)..<(upper - first)]) }
                if r.upperBound <= end { run += 1 } else { break }
            }
        }
        return out
    }

    /// The k-th largest of `values` (1 ≤ k ≤ count): a three-way quickselect on a copy, so
    /// ties (a map's many equal values) cost no extra passes.
    static func kthLargest(_ values: [Double], _ k: Int) -> Double {
        precondition(k >= 1 && k <= values.count, "k within the values")
        var a = values
        return a.withUnsafeMutableBufferPointer { a in
            let target = a.count - k  // its index in ascending order
            var (lo, hi) = (0, a.count - 1)
            while true {
                if lo == hi { return a[lo] }
                let (x, y, z) = (a[lo], a[(lo + hi) / 2], a[hi])
                let pivot = Swift.max(Swift.min(x, y), Swift.min(Swift.max(x, y), z))
                var (lt, i, gt) = (lo, lo, hi)
                while i <= gt {
                    if a[i] < pivot {
                        a.swapAt(lt, i)
                        lt += 1
                        i += 1
                    } else if a[i] > pivot {
                        a.swapAt(i, gt)
                        gt -= 1
                    } else {
                        i += 1
                    }
                }
                if target < lt { hi = lt - 1 } else if target > gt { lo = gt + 1 } else { return pivot }
            }
        }
    }

    /// The position of the record with id `maskID`, if it was loaded.
    public func position(ofMaskID maskID: Int64) -> Int? { positionOfID[maskID] }

    /// `measure` as an analysis sums it, pair by pair over positions in `samples` (any of
    /// the loaded records, in any order: each found by its id). A sample not loaded has no value.
    public func pairMeasure(_ measure: VoxelMeasure, on samples: [MaskSample]) -> PairMeasure {
        precondition(measure.isSetMeasure ? measures.contains { $0.isSetMeasure } : measures.contains(.pearson), "\(measure) was not loaded")
        let positions = samples.map { positionOfID[$0.id] }
        return .pairs { [self] i, j in
            guard let x = positions[i], let y = positions[j] else { return nil }
            return value(measure, x, y)
        }
    }

    /// The size of position `i`'s set (0 when no set measure was loaded).
    public func setSize(_ i: Int) -> Int { views[viewOf[i]].setSize }

    /// How many voxels position `i`'s measures run over.
    public func domainVoxels(_ i: Int) -> Int { domains[views[viewOf[i]].domain].count }

    /// True when positions `i` and `j` are on one domain (grid and atlas), so that they have voxel measures.
    public func comparable(_ i: Int, _ j: Int) -> Bool { views[viewOf[i]].domain == views[viewOf[j]].domain }

    /// The value of `measure` for positions `i` and `j`.
    public func value(_ measure: VoxelMeasure, _ i: Int, _ j: Int) -> Double? {
        switch measure {
        case .dice: dice(i, j)
        case .jaccard: jaccard(i, j)
        case .pearson: pearson(i, j)
        }
    }

    /// Dice of positions `i` and `j`'s sets, 2|A ∩ B| / (|A| + |B|) in [0, 1] (1: the same
    /// set); nil on different domains or when both sets are empty.
    public func dice(_ i: Int, _ j: Int) -> Double? {
        guard let (both, sizes) = setCounts(i, j), sizes > 0 else { return nil }
        return Double(2 * both) / Double(sizes)
    }

    /// Jaccard of positions `i` and `j`'s sets, |A ∩ B| / |A ∪ B| in [0, 1] (1: the same
    /// set); nil on different domains or when both sets are empty.
    public func jaccard(_ i: Int, _ j: Int) -> Double? {
        guard let (both, sizes) = setCounts(i, j), sizes > 0 else { return nil }
        return Double(both) / Double(sizes - both)
    }

    /// Pearson correlation of positions `i` and `j`'s values over their domain, in [-1, 1]
    /// (1: the same pattern up to offset and scale); nil on different domains or when either
    /// is constant there. Float32 unit vectors, products summed in double: within about 1e-6
    /// of the double-precision value.
    public func pearson(_ i: Int, _ j: Int) -> Double? {
        precondition(measures.contains(.pearson), "pearson was not loaded")
        let (a, b) = (views[viewOf[i]], views[viewOf[j]])
        guard a.domain == b.domain, let x = a.unit, let y = b.unit else { return nil }
        let dot = x.withUnsafeBufferPointer { x in y.withUnsafeBufferPointer { y in Self.dot(x, y) } }
        return Swift.min(1, Swift.max(-1, dot))
    }

    /// |A ∩ B| and |A| + |B|, or nil on different domains.
    private func setCounts(_ i: Int, _ j: Int) -> (Int, Int)? {
        precondition(measures.contains { $0.isSetMeasure }, "no set measure was loaded")
        let (a, b) = (views[viewOf[i]], views[viewOf[j]])
        guard a.domain == b.domain, let x = a.bits, let y = b.bits else { return nil }
        let both = x.withUnsafeBufferPointer { x in
            y.withUnsafeBufferPointer { y in
                var (c0, c1) = (0, 0)
                var w = 0
                while w + 2 <= x.count {
                    c0 += (x[w] & y[w]).nonzeroBitCount
                    c1 += (x[w + 1] & y[w + 1]).nonzeroBitCount
                    w += 2
                }
                if w < x.count { c0 += (x[w] & y[w]).nonzeroBitCount }
                return c0 + c1
            }
        }
        return (both, a.setSize + b.setSize)
    }

    /// Σ x y with each product exact in double (a Float32 product fits), four sums at once.
    private static func dot(_ x: UnsafeBufferPointer<Float>, _ y: UnsafeBufferPointer<Float>) -> Double {
        var (s0, s1, s2, s3) = (0.0, 0.0, 0.0, 0.0)
        var i = 0
        while i + 4 <= x.count {
            s0 += Double(x[i]) * Double(y[i])
            s1 += Double(x[i + 1]) * Double(y[i + 1])
            s2 += Double(x[i + 2]) * Double(y[i + 2])
            s3 += Double(x[i + 3]) * Double(y[i + 3])
            i += 4
        }
        while i < x.count {
            s0 += Double(x[i]) * Double(y[i])
            i += 1
        }
        return (s0 + s1) + (s2 + s3)
    }
}
