import Analysis
import Foundation
import GRDB
import Import
import NIfTIFixtures
import Store
import StudyCore
import Testing

@testable import SQLiteStore
@testable import Study

/// The voxel measures between stored records, checked against plain loops over the very
/// voxel arrays the files were written from (Double, no bitsets, no unit vectors).
struct VoxelMapsTests {
    /// The grid: 6 x 5 x 4 voxels of 1 mm at the origin.
    static let shape = [6, 5, 4]
    static let voxels = 120
    static let srows: [[Double]] = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]

    /// The tiny atlas's label of each voxel (on the masks' own grid): about a fifth background.
    static let labels: [Int16] = (0..<voxels).map { i in i % 5 == 0 ? 0 : (i % 3 == 0 ? 1 : 2) }

    /// A file of the study: its voxels, and its manifest row's settings.
    struct File {
        var name: String
        var values: [Float]
        var srows: [[Double]] = VoxelMapsTests.srows
        /// A uint8 file scaled by 1/8 instead of float32 (nibabel's get_fdata scales in double).
        var scaled = false
    }

    /// Values in eighths, so that many sit exactly at 0.5 (ties at the threshold).
    static func eighths(seed: UInt64) -> [Float] {
        var random = SplitMix64(seed: seed)
        return (0..<voxels).map { _ in Float(Int(random.unit() * 9)) / 8 }
    }

    /// Signed saliencies with repeated magnitudes (ties at the top-q% cut) and zeros.
    static func saliencies(seed: UInt64) -> [Float] {
        var random = SplitMix64(seed: seed)
        return (0..<voxels).map { _ in
            let step = Int(random.unit() * 7)  // 0...6; 0 is no attribution
            return Float(step) * 1.5e-5 * (random.unit() < 0.5 ? -1 : 1)
        }
    }

    static let files: [File] = [
        File(name: "a.nii.gz", values: eighths(seed: 1)),
        File(name: "b.nii.gz", values: eighths(seed: 2)),
        File(name: "c.nii.gz", values: eighths(seed: 3)),
        File(name: "d-map.nii.gz", values: saliencies(seed: 4)),
        File(name: "e-map.nii.gz", values: saliencies(seed: 5)),
        File(name: "constant.nii.gz", values: Array(repeating: 0.75, count: voxels)),
        File(name: "keep-all.nii.gz", values: Array(repeating: 1, count: voxels)),
        // Shifted by a millimetre: another grid.
        File(name: "shifted.nii.gz", values: eighths(seed: 6), srows: [[1, 0, 0, 1], [0, 1, 0, 0], [0, 0, 1, 0]]),
        File(name: "scaled.nii.gz", values: eighths(seed: 7), scaled: true),
    ]

    /// The records, in id order: (file, fold, semantics).
    static let records: [(file: Int, fold: Int, semantics: MaskSemantics)] = [
        (0, 0, .keep),  // 0: a
        (1, 1, .keep),  // 1: b
        (2, 2, .perturb),  // 2: c
        (0, 3, .perturb),  // 3: a's file read as perturb: p = m, the complement of record 0's
        (1, 4, .keep),  // 4: b's file again: the same set and values as record 1
        (3, 0, .attribution),  // 5: map d
        (4, 1, .attribution),  // 6: map e
        (5, 5, .keep),  // 7: constant p = 0.25: an empty set at t = 0.5, no Pearson
        (6, 6, .keep),  // 8: p = 0 everywhere: an empty set
        (7, 7, .keep),  // 9: on the shifted grid
        (8, 8, .keep),  // 10: uint8 scaled by 1/8
    ]

    static func fileBytes(_ file: File) -> [UInt8] {
        var fixture = FixtureFile()
        fixture.shape = shape
        if file.scaled {
            fixture.encode(file.values.map { UInt8(($0 * 8).rounded()) }, code: 2)
            fixture.slope = 0.125
        } else {
            fixture.encode(float32: file.values)
        }
        fixture.sformCode = 1
        fixture.srows = file.srows
        return StoredGzip.member(fixture.bytes)
    }

    /// An in-memory store with the tiny atlas registered and every record imported over it.
    static func store(_ folder: ScratchFolder) throws -> SQLiteStore {
        let store = try SQLiteStore.inMemory()
        var atlas = FixtureFile()
        atlas.shape = shape
        atlas.encode(labels, code: 4)
        atlas.sformCode = 1
        atlas.srows = srows
        let image = try atlas.write(named: "tiny.nii", in: folder)
        let table = try folder.write(Array("roi_value\troi_name\n0\tBackground\n1\tOne_L\n2\tTwo_R\n".utf8), named: "tiny.tsv")
        _ = try store.addAtlas(name: "tiny", imagePath: image, labelsPath: table, command: "VoxelMapsTests")
        for file in files { _ = try folder.write(fileBytes(file), named: file.name) }
        let rows = records.map { record in
            let map = record.semantics == .attribution
            return [files[record.file].name, "\(record.fold)", "0", map ? "" : "0.1", map ? "" : "0.001", record.semantics.rawValue,
                    map ? "gradients" : "", "tiny"].joined(separator: "\t")
        }
        let manifest = try folder.write(
            Array((["path\tfold\trun\tlambda1\tlambda2\tsemantics\tmethod\tatlas"] + rows).joined(separator: "\n").utf8) + [10], named: "masks.tsv")
        let summary = try store.importMasks(manifestPath: manifest, options: ImportOptions(study: "study", strict: true, command: "VoxelMapsTests"))
        #expect(summary.added == records.count && summary.rejected.isEmpty)
        return store
    }

    // MARK: - The independent computation

    /// Record `r`'s values on `domain` (voxel indices): p clamped into [0, 1], or |a|.
    static func naiveValues(_ r: Int, domain: [Int]) -> [Double] {
        let record = records[r]
        return domain.map { voxel in
            let v = Double(files[record.file].values[voxel])
            switch record.semantics {
            case .keep: return min(max(1 - v, 0), 1)
            case .perturb: return min(max(v, 0), 1)
            case .attribution: return abs(v)
            }
        }
    }

    /// Record `r`'s set on `domain`, as a Bool per domain voxel.
    static func naiveSet(_ r: Int, domain: [Int], options: VoxelOptions) -> [Bool] {
        let values = naiveValues(r, domain: domain)
        guard records[r].semantics == .attribution else { return values.map { $0 >= options.threshold } }
        let k = Int((options.topPercent * Double(values.count) / 100).rounded(.up))
        let cut = values.sorted(by: >)[k - 1]
        return values.map { $0 >= cut && $0 > 0 }
    }

    static func naiveDice(_ a: [Bool], _ b: [Bool]) -> Double? {
        let both = zip(a, b).filter { $0 && $1 }.count, sizes = a.filter { $0 }.count + b.filter { $0 }.count
        return sizes == 0 ? nil : 2 * Double(both) / Double(sizes)
    }

    static func naiveJaccard(_ a: [Bool], _ b: [Bool]) -> Double? {
        let both = zip(a, b).filter { $0 && $1 }.count, either = zip(a, b).filter { $0 || $1 }.count
        return either == 0 ? nil : Double(both) / Double(either)
    }

    static func naivePearson(_ x: [Double], _ y: [Double]) -> Double? {
        let n = Double(x.count)
        let (mx, my) = (x.reduce(0, +) / n, y.reduce(0, +) / n)
        var (sxy, sxx, syy) = (0.0, 0.0, 0.0)
        for (a, b) in zip(x, y) {
            sxy += (a - mx) * (b - my)
            sxx += (a - mx) * (a - mx)
            syy += (b - my) * (b - my)
        }
        guard Set(x).count > 1, Set(y).count > 1 else { return nil }
        return sxy / (sxx * syy).squareRoot()
    }

    static let brain = (0..<voxels).filter { labels[$0] != 0 }
    static let everyVoxel = Array(0..<voxels)
    /// The records on the masks' grid (all but the shifted one).
    static let onGrid = records.indices.filter { $0 != 9 }

    // MARK: - Tests

    @Test(arguments: [VoxelDomain.atlas, .grid], [1, 3])
    func everyMeasureEqualsPlainLoopsOverTheVoxels(domain: VoxelDomain, jobs: Int) throws {
        let folder = try ScratchFolder(prefix: "maskdb-voxels")
        let store = try Self.store(folder)
        let masks = try store.masks()
        for options in [VoxelOptions(domain: domain), VoxelOptions(threshold: 0.375, topPercent: 12.5, domain: domain),
                        VoxelOptions(threshold: 1, topPercent: 100, domain: domain)] {
            let maps = try VoxelMaps.load(store: store, masks: masks, options: options, measures: Set(VoxelMeasure.allCases), jobs: jobs)
            #expect(maps.count == Self.records.count)
            let cells = domain == .atlas ? Self.brain : Self.everyVoxel
            var compared = (sets: 0, pearson: 0)
            for i in Self.onGrid {
                #expect(maps.domainVoxels(i) == cells.count)
                for j in Self.onGrid {
                    let (a, b) = (Self.naiveSet(i, domain: cells, options: options), Self.naiveSet(j, domain: cells, options: options))
                    #expect(maps.dice(i, j) == Self.naiveDice(a, b), "dice \(i) \(j) \(options)")
                    #expect(maps.jaccard(i, j) == Self.naiveJaccard(a, b), "jaccard \(i) \(j) \(options)")
                    if maps.dice(i, j) != nil { compared.sets += 1 }
                    let want = Self.naivePearson(Self.naiveValues(i, domain: cells), Self.naiveValues(j, domain: cells))
                    let got = maps.pearson(i, j)
                    #expect((got == nil) == (want == nil), "pearson \(i) \(j)")
                    if let got, let want {
                        #expect(abs(got - want) <= 1e-6, "pearson \(i) \(j): \(got) vs \(want)")
                        compared.pearson += 1
                    }
                }
                #expect(maps.setSize(i) == Self.naiveSet(i, domain: cells, options: options).filter { $0 }.count)
            }
            #expect(compared.sets > 50 && compared.pearson > 50)
        }
    }

    @Test func theConventionsTiesAndEmptySetsReadAsStated() throws {
        let folder = try ScratchFolder(prefix: "maskdb-voxels")
        let store = try Self.store(folder)
        let masks = try store.masks()
        let maps = try VoxelMaps.load(store: store, masks: masks, measures: Set(VoxelMeasure.allCases), jobs: 2)
        // Keep and perturb of one file: complementary perturbations.
        #expect(abs(try #require(maps.pearson(0, 3)) + 1) <= 1e-6)
        // The same file and semantics twice: the same set and values.
        #expect(maps.dice(1, 4) == 1 && maps.jaccard(1, 4) == 1)
        #expect(abs(try #require(maps.pearson(1, 4)) - 1) <= 1e-6)
        // A voxel at exactly p = 0.5 is in the set at t = 0.5.
        let tied = Self.brain.filter { Self.files[0].values[$0] == 0.5 }
        #expect(!tied.isEmpty)
        #expect(maps.setSize(0) == Self.brain.filter { 1 - Double(Self.files[0].values[$0]) >= 0.5 }.count)
        // Top 5 % of 96 brain voxels: k = 5, and every voxel tied at the fifth largest |a| is in.
        let magnitudes = Self.brain.map { abs(Double(Self.files[3].values[$0])) }
        let fifth = magnitudes.sorted(by: >)[4]
        #expect(maps.setSize(5) == magnitudes.filter { $0 >= fifth }.count && maps.setSize(5) > 5)
        // Empty sets: with a non-empty one Dice is 0, with another empty one it is undefined.
        #expect(maps.setSize(7) == 0 && maps.setSize(8) == 0)
        #expect(maps.dice(0, 7) == 0 && maps.jaccard(0, 7) == 0)
        #expect(maps.dice(7, 8) == nil && maps.jaccard(7, 8) == nil && maps.dice(8, 8) == nil)
        // A constant map has no Pearson, with itself either.
        #expect(maps.pearson(7, 0) == nil && maps.pearson(7, 7) == nil && maps.pearson(8, 1) == nil)
        // Another grid: no value, either way round, for every measure.
        for other in Self.onGrid {
            for measure in VoxelMeasure.allCases {
                #expect(maps.value(measure, 9, other) == nil && maps.value(measure, other, 9) == nil)
            }
            #expect(!maps.comparable(9, other))
        }
        #expect(maps.dice(9, 9) != nil && maps.comparable(9, 9))
        // An attribution map with fewer non-zero voxels than k: zeros never join the set.
        let sparse = VoxelOptions(topPercent: 100)
        let all = try VoxelMaps.load(store: store, masks: [masks[5]], options: sparse, measures: [.dice], jobs: 1)
        #expect(all.setSize(0) == magnitudes.filter { $0 > 0 }.count && all.setSize(0) < Self.brain.count)
    }

    @Test func repeatedFilesAreDecodedOnceAndOnlyTheMeasuresAskedAreHeld() throws {
        let folder = try ScratchFolder(prefix: "maskdb-voxels")
        let store = try Self.store(folder)
        let masks = try store.masks()
        let maps = try VoxelMaps.load(store: store, masks: masks, measures: [.dice], jobs: 2)
        // 11 records of 9 files: a's twice (keep and perturb), b's twice.
        #expect(maps.filesDecoded == Self.files.count)
        #expect(Set(masks.map(\.sha256)).count == Self.files.count)
        // The selection's order is the positions' order, whatever it is.
        let reversed = try VoxelMaps.load(store: store, masks: masks.reversed(), measures: [.dice, .jaccard], jobs: 1)
        let n = masks.count
        for i in 0..<n { for j in 0..<n { #expect(reversed.dice(n - 1 - i, n - 1 - j) == maps.dice(i, j)) } }
    }

    /// What an analysis sums: positions in its samples, each found by its mask id.
    @Test func aPairMeasureReadsSamplesByTheirIDs() throws {
        let folder = try ScratchFolder(prefix: "maskdb-voxels")
        let store = try Self.store(folder)
        let masks = try store.masks()
        let maps = try VoxelMaps.load(store: store, masks: masks, measures: Set(VoxelMeasure.allCases), jobs: 2)
        let picked = [6, 0, 3, 1]
        let samples = picked.map { MaskSample(id: masks[$0].id, settings: [.fold: .number(Double($0))], densities: [], voxels: []) }
            + [MaskSample(id: 999, settings: [.fold: .number(99)], densities: [], voxels: [])]
        for measure in VoxelMeasure.allCases {
            guard case .pairs(let value) = maps.pairMeasure(measure, on: samples) else { Issue.record("not pair by pair"); continue }
            for (i, x) in picked.enumerated() {
                #expect(maps.position(ofMaskID: masks[x].id) == x)
                for (j, y) in picked.enumerated() { #expect(value(i, j) == maps.value(measure, x, y)) }
                #expect(value(i, 4) == nil && value(4, i) == nil)
            }
        }
    }

    @Test func aDamagedFileIsOneLineNamingTheRecordAndVerify() throws {
        let folder = try ScratchFolder(prefix: "maskdb-voxels")
        let store = try Self.store(folder)
        let masks = try store.masks()
        let sha256 = masks[2].sha256
        try store.writeDatabase { db in
            var bytes = [UInt8](try #require(try Data.fetchOne(db, sql: "SELECT bytes FROM blobs WHERE sha256 = ?", arguments: [sha256])))
            bytes[bytes.count - 20] ^= 0x01
            try db.execute(sql: "UPDATE blobs SET bytes = ? WHERE sha256 = ?", arguments: [Data(bytes), sha256])
        }
        for jobs in [1, 2, 4] {
            #expect {
                _ = try VoxelMaps.load(store: store, masks: masks, measures: [.dice, .pearson], jobs: jobs)
            } throws: { error in
                guard case let .damagedFile(record, _, recorded)? = error as? StoreError else { return false }
                let message = "\(error)"
                return record == "mask \(masks[2].id)" && recorded == sha256 && message.hasSuffix("run maskdb verify") && !message.contains("\n")
            }
        }
        // The rest of the selection still loads.
        let others = masks.filter { $0.sha256 != sha256 }
        #expect(try VoxelMaps.load(store: store, masks: others, measures: [.dice], jobs: 2).count == others.count)
    }

    @Test func aSelectionOverTheBudgetIsRefusedBeforeAnyFileIsDecoded() throws {
        let folder = try ScratchFolder(prefix: "maskdb-voxels")
        let store = try Self.store(folder)
        let masks = try store.masks()
        // The shifted grid's brain: the tiny atlas placed on it.
        let shifted = try VoxelMaps.load(store: store, masks: [masks[9]], measures: [.pearson], jobs: 1).domainVoxels(0)
        #expect(shifted > 64 && shifted < 96)
        // Damaged: decoding it would fail, so the refusal shows nothing was decoded.
        try store.writeDatabase { db in try db.execute(sql: "UPDATE blobs SET bytes = x'00' WHERE sha256 = ?", arguments: [masks[0].sha256]) }
        // 10 views (b's keep records are one); a set over 65 to 128 voxels takes 2 words (16
        // bytes), a Pearson map 4 bytes a voxel.
        var options = VoxelOptions(memoryBudget: 159)
        #expect(throws: VoxelError.overBudget(records: 11, files: 9, bytes: 160, budget: 159, measures: [.dice])) {
            _ = try VoxelMaps.load(store: store, masks: masks, options: options, measures: [.dice], jobs: 2)
        }
        let pearson = (9 * 96 + shifted) * 4
        options.memoryBudget = 160 + pearson - 1
        #expect {
            _ = try VoxelMaps.load(store: store, masks: masks, options: options, measures: [.dice, .pearson], jobs: 2)
        } throws: { error in
            let message = "\(error)"
            return error as? VoxelError == .overBudget(records: 11, files: 9, bytes: 160 + pearson, budget: 159 + pearson, measures: [.dice, .pearson])
                && message.contains("--where") && message.contains("leave pearson out") && !message.contains("\n")
        }
        #expect("\(VoxelError.overBudget(records: 500, files: 500, bytes: 5 << 30, budget: 2 << 30, measures: [.pearson]))"
            == "the voxel pearson of 500 records (500 files) would hold 5120 MiB, more than the 2048 MiB budget; refused before decoding: narrow the selection with --where (e.g. --where \"fold = 0\")")
        options.memoryBudget = 160
        #expect(throws: StoreError.self) { _ = try VoxelMaps.load(store: store, masks: masks, options: options, measures: [.dice], jobs: 2) }
    }

    /// A ClinicaDL-style map (shape 1 x X x Y x Z, a header that lies about its space) recorded
    /// on a reference image's grid is decoded on that grid: it pairs with the masks there.
    @Test func aMapOnAReferenceGridIsPlacedOnIt() throws {
        let folder = try ScratchFolder(prefix: "maskdb-voxels")
        let store = try Self.store(folder)
        var map = FixtureFile()
        map.shape = [1] + Self.shape
        let values = Self.saliencies(seed: 9)
        map.encode(float32: values)
        map.sformCode = 1
        map.srows = [[3, 0, 0, 40], [0, 3, 0, 40], [0, 0, 3, 40]]
        _ = try folder.write(StoredGzip.member(map.bytes), named: "clinicadl.nii.gz")
        let manifest = try folder.write(Array("""
            path\tfold\trun\tsemantics\tmethod\tatlas\tgrid
            clinicadl.nii.gz\t9\t0\tattribution\tgrad-cam\ttiny\ttiny.nii

            """.utf8), named: "maps.tsv")
        let summary = try store.importMasks(manifestPath: manifest, options: ImportOptions(study: "study", strict: true, command: "VoxelMapsTests"))
        #expect(summary.added == 1 && summary.rejected.isEmpty)
        let masks = try store.masks()
        let placed = try #require(masks.last)
        let grids = try store.measuredGrids(maskIDs: masks.map(\.id))
        #expect(grids[placed.id]?.grid.shape == Self.shape && grids[placed.id]?.reference?.source.hasSuffix("tiny.nii") == true)
        #expect(grids[masks[0].id]?.reference == nil && grids[masks[0].id]?.grid.shape == Self.shape)
        let maps = try VoxelMaps.load(store: store, masks: [masks[0], masks[5], placed], measures: Set(VoxelMeasure.allCases), jobs: 2)
        #expect(maps.comparable(0, 2) && maps.comparable(1, 2))
        // Against plain loops over the values it was written from.
        let magnitudes = Self.brain.map { abs(Double(values[$0])) }
        let k = Int((5 * Double(magnitudes.count) / 100).rounded(.up))
        let cut = magnitudes.sorted(by: >)[k - 1]
        let set = magnitudes.map { $0 >= cut && $0 > 0 }
        let options = VoxelOptions()
        #expect(maps.dice(0, 2) == Self.naiveDice(Self.naiveSet(0, domain: Self.brain, options: options), set))
        #expect(maps.jaccard(1, 2) == Self.naiveJaccard(Self.naiveSet(5, domain: Self.brain, options: options), set))
        let pearson = try #require(Self.naivePearson(Self.naiveValues(5, domain: Self.brain), magnitudes))
        #expect(abs(try #require(maps.pearson(1, 2)) - pearson) <= 1e-6)
    }

    @Test func optionsOutOfRangeAreRefused() throws {
        let folder = try ScratchFolder(prefix: "maskdb-voxels")
        let store = try Self.store(folder)
        let masks = try store.masks()
        for t in [-0.1, 1.5, .nan] {
            #expect(throws: VoxelError.self) { _ = try VoxelMaps.load(store: store, masks: masks, options: VoxelOptions(threshold: t), measures: [.dice], jobs: 1) }
        }
        for q in [0, -1, 101, .infinity] {
            #expect(throws: VoxelError.badTopPercent(q)) {
                _ = try VoxelMaps.load(store: store, masks: masks, options: VoxelOptions(topPercent: q), measures: [.dice], jobs: 1)
            }
        }
    }

    @Test func theQuickselectFindsTheKthLargestAmongTies() {
        var random = SplitMix64(seed: 11)
        for count in [1, 2, 3, 10, 257] {
            let values = (0..<count).map { _ in Double(Int(random.unit() * 5)) }
            let sorted = values.sorted(by: >)
            for k in 1...count { #expect(VoxelMaps.kthLargest(values, k) == sorted[k - 1]) }
        }
        #expect(VoxelMaps.merged([5..<7, 0..<2, 2..<3, 6..<9, 4..<4]) == [0..<3, 5..<9])
    }
}
