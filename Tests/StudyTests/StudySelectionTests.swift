import Analysis
import Atlas
import Foundation
import SQLiteStore
import Store
import StudyCore
import Testing

@testable import Study

/// `StudySelection`, the bridge from a store's records to the analyses, on studies whose
/// masks are constant (every region's density is the mask's own perturbation, 1 - keep).
struct StudySelectionTests {
    /// 2 folds x 2 runs x λ1 in {0.1, 0.01}; mask i keeps 0.5 + i/16 everywhere (exact in binary).
    static let masks: [StudyFixture.Mask] = (0..<8).map { i in
        StudyFixture.Mask(fold: i / 4, run: (i / 2) % 2, lambda1: i % 2 == 0 ? 0.1 : 0.01, keep: 0.5 + Float(i) / 16)
    }

    @Test func theFilterPicksTheMasksAndEachSampleIsItsMasks() throws {
        let store = try StudyFixture.store(masks: Self.masks)
        let selection = try StudySelection(store: store, filter: .equal(.fold, .number(1)))
        #expect(selection.masks.map(\.fold) == [1, 1, 1, 1])
        #expect(selection.samples.map(\.id) == selection.masks.map(\.id))
        let keeps = Dictionary(uniqueKeysWithValues: Self.masks.map { ($0.fileName, Double($0.keep)) })
        for (mask, sample) in zip(selection.masks, selection.samples) {
            #expect(sample[.lambda1] == .number(mask.lambda1!) && sample[.run] == .number(Double(mask.run)))
            #expect(sample.settings == mask.settings)
            // Fold 1's masks keep 0.75, 0.8125, 0.875, 0.9375: perturbation 1 - keep.
            let perturbation = 1 - keeps[(mask.source as NSString).lastPathComponent]!
            #expect(perturbation >= 0.0625 && perturbation <= 0.25)
            #expect(sample.densities.allSatisfy { $0 == nil || $0 == perturbation })
            #expect(sample.meanDensity == perturbation)
            // A region has a density exactly when it has voxels on the mask's grid.
            #expect(zip(sample.densities, sample.voxels).allSatisfy { ($0 == nil) == ($1 == 0) })
        }
        // One grid for all: the same regions have the same voxels in every mask.
        #expect(Set(selection.samples.map(\.voxels)).count == 1)
        #expect(selection.samples[0].voxels.contains { $0 > 0 })
    }

    @Test func regionsAreTheAtlasInLabelOrder() throws {
        let selection = try StudySelection(store: try StudyFixture.store(masks: Self.masks), filter: .all)
        // AAL2 has 120 regions; its first label is 2001, the left precentral gyrus.
        #expect(selection.regions.count == 120)
        #expect(selection.regions.first?.label == 2001 && selection.regions.first?.name == "Precentral_L")
        #expect(selection.regions.map(\.label) == selection.regions.map(\.label).sorted())
        #expect(selection.samples.allSatisfy { $0.densities.count == 120 && $0.voxels.count == 120 })
    }

    @Test func evaluationsAreThoseOfTheSelectedMasksWithBothModels() throws {
        let store = try StudyFixture.store(
            masks: Self.masks, models: [],
            evaluations: [
                .init(mask: 0, fold: 0, run: 1, probability: 0.25),
                .init(mask: 1, fold: 1, run: 0, probability: 0.5),
                .init(mask: 4, fold: 0, run: 0, probability: 0.75),
            ])
        let selection = try StudySelection(store: store, filter: .equal(.fold, .number(0)))
        #expect(selection.evaluations.map(\.probability) == [0.25, 0.5])
        let first = try #require(selection.evaluations.first)
        #expect(first.maskID == selection.masks[0].id && first.mask == selection.masks[0].settings)
        #expect(first.evaluator == [.study: .text("study"), .fold: .number(0), .run: .number(1), .model: .text("")])
        #expect(!first.isOwnModel)
        #expect(selection.evaluations[1].evaluator[.fold] == .number(1))
    }

    @Test func aParameterNoMaskHasIsRefusedNamingTheOption() throws {
        let plain = try StudyFixture.store(masks: Self.masks)
        #expect(throws: StudyError.unknownField(option: "--by", field: .parameter("nope"), known: [])) {
            try StudySelection(store: plain, filter: .all, using: [("--by", .parameter("nope"))])
        }
        #expect(StudyError.unknownField(option: "--by", field: .parameter("nope"), known: []).description
            == "'--by params.nope': no selected mask has this parameter; they have none")
        let tuned = try StudyFixture.store(masks: Self.masks.map { var mask = $0; mask.parameters = ["optimizer": "adam", "lr": "0.1"]; return mask })
        #expect(throws: StudyError.unknownField(option: "--value", field: .parameter("nope"), known: [.parameter("lr"), .parameter("optimizer")])) {
            try StudySelection(store: tuned, filter: .all, using: [("--rows", .fold), ("--value", .parameter("nope"))])
        }
        #expect(StudyError.unknownField(option: "--value", field: .parameter("nope"), known: [.parameter("lr"), .parameter("optimizer")]).description
            == "'--value params.nope': no selected mask has this parameter; they have params.lr, params.optimizer")
        // A parameter they have is no error, and neither is any parameter when nothing is selected.
        _ = try StudySelection(store: tuned, filter: .all, using: [("--by", .parameter("lr"))])
        let none = try StudySelection(store: plain, filter: .equal(.fold, .number(9)), using: [("--by", .parameter("nope"))])
        #expect(none.masks.isEmpty && none.samples.isEmpty)
        #expect(throws: StudyError.nothingSelected) { try none.requireMasks() }
        #expect(StudyError.nothingSelected.description == "no recorded mask matches --where; nothing to draw")
    }

    @Test func masksOverSeveralAtlasesDoNotCompare() throws {
        let store = OtherAtlasStore(base: try StudyFixture.store(masks: Self.masks), maskID: 3)
        #expect(throws: StudyError.severalAtlases(names: ["aal2", "other"])) { try StudySelection(store: store, filter: .all) }
        #expect(StudyError.severalAtlases(names: ["aal2", "other"]).description
            == "the selected masks use several atlases (aal2, other); add --where \"atlas = NAME\"")
    }
}

/// The analyses a selection runs, against numbers computed here from the stored vectors.
extension StudySelectionTests {
    /// Two-valued masks: the first `cut` voxels keep `low`, the rest keep 1 (no perturbation).
    static func halves(_ cut: Int, low: Float, fold: Int, run: Int, lambda1: Double) -> StudyFixture.Mask {
        let count = StudyFixture.shape.reduce(1, *)
        return StudyFixture.Mask(fold: fold, run: run, lambda1: lambda1, values: (0..<count).map { $0 < cut ? low : 1 })
    }

    static func cosine(_ a: [Double?], _ b: [Double?]) -> Double {
        let pairs = zip(a, b).map { ($0 ?? 0, $1 ?? 0) }
        let dot = pairs.reduce(0) { $0 + $1.0 * $1.1 }
        return dot / (pairs.reduce(0) { $0 + $1.0 * $1.0 }.squareRoot() * pairs.reduce(0) { $0 + $1.1 * $1.1 }.squareRoot())
    }

    @Test func similarityAndRobustnessAreMeanCosinesOfTheStoredVectors() throws {
        let masks = [
            Self.halves(300, low: 0.5, fold: 0, run: 0, lambda1: 0.1), Self.halves(700, low: 0.25, fold: 0, run: 0, lambda1: 0.01),
            Self.halves(500, low: 0, fold: 0, run: 1, lambda1: 0.1), Self.halves(900, low: 0.5, fold: 0, run: 1, lambda1: 0.01),
        ]
        let store = try StudyFixture.store(masks: masks)
        let selection = try StudySelection(store: store, filter: .all)
        let vectors = try store.densityVectors(maskIDs: selection.masks.map(\.id), labels: selection.regions.map(\.label))
        /// The stored vector of the mask of `run` at `lambda1`.
        func v(_ run: Int, _ lambda1: Double) -> [Double?] {
            vectors[selection.masks.first { $0.run == run && $0.lambda1 == lambda1 }!.id]!.densities
        }
        // λ1 = 0.01 against 0.1, within each model (run 0, run 1).
        let matrix = selection.similarity(by: .lambda1)
        #expect(matrix.values == [.number(0.01), .number(0.1)] && matrix.pairs[0][1] == 2)
        let acrossLambda1 = (Self.cosine(v(0, 0.01), v(0, 0.1)) + Self.cosine(v(1, 0.01), v(1, 0.1))) / 2
        #expect(abs(matrix.means[0][1]! - acrossLambda1) < 1e-12)
        // Inter-run: same fold and λ1, other run; there is no other fold.
        let robustness = selection.robustness()
        #expect(robustness.roiInterRuns.count == 2 && robustness.roiInterFolds.count == 0)
        let acrossRuns = (Self.cosine(v(0, 0.1), v(1, 0.1)) + Self.cosine(v(0, 0.01), v(1, 0.01))) / 2
        #expect(abs(robustness.roiInterRuns.value! - acrossRuns) < 1e-12)
        #expect(acrossLambda1 < 1 && acrossRuns < 1)  // the masks differ: the check can fail
    }

    @Test func probabilitiesCompareModelsAndTheGridReadsEachValue() throws {
        let masks = [
            StudyFixture.Mask(fold: 0, run: 0, lambda1: 0.1, parameters: ["steps": "200"], keep: 0.75),
            StudyFixture.Mask(fold: 0, run: 1, lambda1: 0.1, parameters: ["steps": "many"], keep: 0.5),
        ]
        let evaluations: [StudyFixture.Evaluation] = [
            .init(mask: 0, fold: 0, run: 1, probability: 0.25), .init(mask: 1, fold: 0, run: 0, probability: 0.75),
            .init(mask: 0, fold: 0, run: 0, subjects: "AD", probability: 0.5), .init(mask: 0, fold: 0, run: 0, subjects: "CN", probability: 0.25),
        ]
        let selection = try StudySelection(store: try StudyFixture.store(masks: masks, evaluations: evaluations), filter: .all)
        // Cell (a, b): models of run b on masks of run a.
        let prob = selection.similarity(by: .run, metric: .prob)
        #expect(prob.means[0][1] == 0.25 && prob.means[1][0] == 0.75)
        // Per mask: 1 - keep; its own model's mean probability; its numeric parameter.
        let density = selection.grid(rows: .run, columns: .lambda1, value: .density)
        #expect(density.means == [[0.25], [0.5]] && density.counts == [[1], [1]])
        #expect(selection.grid(rows: .run, columns: .lambda1, value: .prob).means == [[0.375], [nil]])
        #expect(selection.grid(rows: .run, columns: .lambda1, value: .parameter("steps")).means == [[200], [nil]])
    }
}

/// A store whose mask `maskID` is over another atlas: a second atlas without registering one.
private struct OtherAtlasStore: StudyStore {
    let base: SQLiteStore
    let maskID: Int64

    var location: String { base.location }
    var file: String? { base.file }
    func masks(where filter: FilterExpression) throws -> [MaskRecord] {
        try base.masks(where: filter).map(moved)
    }
    func studyData(where filter: FilterExpression) throws -> StudyData {
        var data = try base.studyData(where: filter)
        data.masks = data.masks.map(moved)
        return data
    }
    func studyData(where filter: FilterExpression, atlas: String?) throws -> StudyData {
        guard atlas != nil else { return try studyData(where: filter) }
        return try base.studyData(where: filter, atlas: atlas)
    }
    func storedDensities(maskID: Int64, atlas: String?) throws -> RegionDensities { try base.storedDensities(maskID: maskID, atlas: atlas) }
    func atlasSummaries() throws -> [AtlasSummary] { try base.atlasSummaries() }
    private func moved(_ mask: MaskRecord) -> MaskRecord {
        var mask = mask
        if mask.id == maskID { mask.atlas = "other" }
        return mask
    }
    func measuredFiles() throws -> Set<MeasuredFile> { try base.measuredFiles() }
    func parameterNames(of records: RecordKind) throws -> Set<String> { try base.parameterNames(of: records) }
    func annotationNames() throws -> Set<String> { try base.annotationNames() }
    func atlasFiles(named name: String) throws -> StoredAtlasFiles { try base.atlasFiles(named: name) }
    func write<T>(_ body: (any StoreTransaction) throws -> T) throws -> T { try base.write(body) }
    func studyNames() throws -> [String] { try base.studyNames() }
    func atlasNames() throws -> [String] { try base.atlasNames() }
    func masks(ids: [Int64]) throws -> [MaskRecord] { try base.masks(ids: ids) }
    func manifestPaths(maskIDs: [Int64]) throws -> [Int64: String] { try base.manifestPaths(maskIDs: maskIDs) }
    func models(where filter: FilterExpression) throws -> [ModelRecord] { try base.models(where: filter) }
    func evaluations(maskIDs: [Int64]) throws -> [EvaluationRecord] { try base.evaluations(maskIDs: maskIDs) }
    func densityVectors(maskIDs: [Int64], labels: [Int]) throws -> [Int64: StoredVector] { try base.densityVectors(maskIDs: maskIDs, labels: labels) }
    func storedDensities(maskID: Int64) throws -> RegionDensities { try base.storedDensities(maskID: maskID) }
    func atlasRegions(named name: String) throws -> [(label: Int, name: String)] { try base.atlasRegions(named: name) }
    func atlas(named name: String) throws -> Atlas { try base.atlas(named: name) }
    func maskFileBytes(maskID: Int64) throws -> [UInt8] { try base.maskFileBytes(maskID: maskID) }
    func maskGrid(maskID: Int64) throws -> MaskGrid? { try base.maskGrid(maskID: maskID) }
    func storedBlob(sha256: String) throws -> [UInt8]? { try base.storedBlob(sha256: sha256) }
    func resolveRecordedMask(_ target: String) throws -> Int64 { try base.resolveRecordedMask(target) }
    func resolveMasks(_ target: String) throws -> [Int64] { try base.resolveMasks(target) }
    func audit(_ target: String) throws -> [AuditRecord] { try base.audit(target) }
    func verify() throws -> [String] { try base.verify() }
    func history(_ target: String) throws -> [HistoryEvent] { try base.history(target) }
    func compact() throws { try base.compact() }
    func initialize(study: String?, command: String) throws -> Bool { try base.initialize(study: study, command: command) }
}
