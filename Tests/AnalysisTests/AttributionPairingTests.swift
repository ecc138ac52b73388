import StudyCore
import Testing

@testable import Analysis

/// Masks and attribution maps of the same models: the kind, method and subject are
/// settings, so a mask never pairs with a map, nor maps of different methods or subjects,
/// unless the rule ignores them.
struct AttributionPairingTests {
    static func record(
        _ id: Int64, run: Int, kind: String, method: String = "", subject: String = "", lambda1: Double? = nil, _ densities: [Double?]
    ) -> MaskSample {
        MaskSample(
            id: id,
            settings: [
                .study: .text("s"), .fold: .number(0), .run: .number(Double(run)), .model: .text(""),
                .lambda1: lambda1.map { .number($0) } ?? .missing, .lambda2: lambda1.map { _ in .number(0.01) } ?? .missing,
                .semantics: .text(kind == "mask" ? "keep" : "attribution"), .kind: .text(kind), .method: .text(method),
                .subject: .text(subject),
            ],
            densities: densities, voxels: [1, 1])
    }

    // Runs 0 and 1 of one fold: a mask each, gradients maps each, and a grad-cam map in run 1.
    static let samples = [
        record(1, run: 0, kind: "mask", lambda1: 0.1, [1, 0]),
        record(2, run: 1, kind: "mask", lambda1: 0.1, [0, 1]),
        record(3, run: 0, kind: "attribution", method: "gradients", [0, 1]),
        record(4, run: 1, kind: "attribution", method: "gradients", [1, 1]),
        record(5, run: 1, kind: "attribution", method: "grad-cam", [1, 0]),
    ]

    @Test func aMaskNeverPairsWithAMapNorMethodsWithEachOther() {
        // Inter-run pairs: masks 1-2, cos((1,0),(0,1)) = 0; gradients 3-4, cos((0,1),(1,1)) = 1/√2.
        // Mask 1 with map 4 or 5, and gradients 3 with grad-cam 5, are no pairs.
        let matrix = Similarity.roi(Self.samples, by: .run)
        #expect(matrix.pairs[0][1] == 2)
        #expect(abs(matrix.means[0][1]! - 0.5.squareRoot() / 2) < 1e-15)
        let robustness = Robustness.compute(Self.samples, [])
        #expect(robustness.roiInterRuns.count == 2 && abs(robustness.roiInterRuns.value! - 0.5.squareRoot() / 2) < 1e-15)
        // Masks against maps, by kind: they differ in λ and method as well, so none pairs.
        #expect(Similarity.roi(Self.samples, by: .kind).pairs[0][1] == 0)
        // Mask 1 and map 4 differ in every field that tells them apart; maps 3 and 5 in the method alone.
        let maskAndMap = Self.samples.filter { $0.id == 1 || $0.id == 4 }
        #expect(Pairing.settings.whyNoPairs(maskAndMap, differingIn: .run) == "the masks differ in kind, lambda1, lambda2 and method")
        let methods = Self.samples.filter { $0.id == 3 || $0.id == 5 }
        #expect(Pairing.settings.whyNoPairs(methods, differingIn: .run) == "the masks differ in method (--ignore method pools over it)")
    }

    @Test func ignoringTheMethodPairsTheMethodsButNeverAMaskWithAMap() {
        // Now gradients 3 also pairs with grad-cam 5: cos((0,1),(1,0)) = 0. Three pairs: 0, 1/√2, 0.
        let pairing = Pairing(ignore: [.method])
        let matrix = Similarity.roi(Self.samples, by: .run, pairing: pairing)
        #expect(matrix.pairs[0][1] == 3)
        #expect(abs(matrix.means[0][1]! - 0.5.squareRoot() / 3) < 1e-15)
        #expect(pairing.pooled(Self.samples) .map { "\($0.field) \($0.values)" } == ["method 3"])
        // Ignoring the kind alone still leaves a mask's λ and method apart from a map's.
        #expect(Similarity.roi(Self.samples, by: .run, pairing: Pairing(ignore: [.kind])).pairs[0][1] == 2)
    }

    @Test func mapsOfDifferentSubjectsNeverPairUnlessAsked() {
        let maps = [
            Self.record(1, run: 0, kind: "attribution", method: "gradients", subject: "sub-001", [1, 0]),
            Self.record(2, run: 1, kind: "attribution", method: "gradients", subject: "sub-002", [1, 1]),
        ]
        #expect(Similarity.roi(maps, by: .run).pairs[0][1] == 0)
        #expect(Pairing.settings.whyNoPairs(maps, differingIn: .run) == "the masks differ in subject (--ignore subject pools over it)")
        #expect(Similarity.roi(maps, by: .run, pairing: Pairing(ignore: [.subject])).pairs[0][1] == 1)
    }
}
