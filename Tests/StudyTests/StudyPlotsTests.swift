import Figures
import Reports
import Foundation
import SQLiteStore
import StudyCore
import Testing

@testable import Study

/// The pictures `plot` draws: their formats, and why there is none when there is nothing to draw.
struct StudyPlotsTests {
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47]

    static func store() throws -> SQLiteStore {
        try StudyFixture.store(masks: (0..<4).map { i in
            StudyFixture.Mask(fold: i / 2, run: i % 2, lambda1: 0.1, keep: 0.5 + Float(i) / 8)
        })
    }

    @Test func everyPictureIsWrittenInItsFormat() throws {
        let store = try Self.store()
        let selection = try StudySelection(store: store, filter: .all)
        #expect(try StudyPlots.montage(selection, store: store, by: .fold, perRow: 1).png.starts(with: Self.png))
        for svg in [
            try StudyPlots.similarity(selection, by: .run), try StudyPlots.grid(selection, rows: .fold, columns: .run, value: .density),
            try StudyPlots.topRegions(selection, k: 3, mergeHemispheres: true), try StudyPlots.robustness(selection).svg,
        ] {
            #expect(String(decoding: svg, as: UTF8.self).contains("<svg"))
        }
        let id = "\(selection.masks[0].id)"
        #expect(try StudyPlots.mask(store: store, target: id, planes: [.axial], at: (11, 9, 8)).starts(with: Self.png))
    }

    /// The similarity heatmap prints each cell as `maskdb similarity` prints it.
    @Test func similarityCellsHaveTheTablesDecimals() throws {
        let store = try StudyFixture.store(masks: (0..<6).map { i in
            StudyFixture.Mask(fold: 0, run: i / 3, lambda1: [0.1, 0.01, 0.001][i % 3],
                              values: (0..<1080).map { Float(($0 * (i + 3)) % 17) / 17 }, path: "m\(i).nii.gz")
        })
        let selection = try StudySelection(store: store, filter: .all)
        let svg = String(decoding: try StudyPlots.similarity(selection, by: .lambda1), as: UTF8.self)
        let table = AnalysisTables.similarity(selection.similarity(by: .lambda1), counts: false).rendered(as: .table)
        let cells = table.split(separator: "\n").dropFirst().flatMap { $0.split(separator: " ").dropFirst() }
        #expect(cells.count == 9)
        for cell in cells { #expect(svg.contains(">\(cell)</text>"), "the table's \(cell) is not in the heatmap") }
        #expect(Set(cells).count > 2)  // distinct similarities, not all 1
    }

    @Test func montagesDrawABoundedNumberOfMasksAndSaySo() throws {
        // 30 masks: 3 folds x 2 runs, 5 replicates each (an annotation: same settings otherwise).
        let store = try StudyFixture.store(masks: (0..<30).map { i in
            StudyFixture.Mask(fold: i % 3, run: (i / 3) % 2, lambda1: 0.1, annotations: ["replicate": "\(i / 6)"], keep: 0.5 + Float(i) / 64,
                              path: "m\(i).nii.gz")
        })
        let selection = try StudySelection(store: store, filter: .all)
        let plot = try StudyPlots.montage(selection, store: store, by: .fold, perRow: 9)
        #expect(plot.note == "24 of 30 masks shown, 6 left out (at most 9 a row, \(StudyPlots.montageLimit) in all)")
        #expect(try StudyPlots.montage(selection, store: store, by: .fold, perRow: 2).note == "6 of 30 masks shown, 24 left out (at most 2 a row, 24 in all)")
        let few = try Self.store()
        #expect(try StudyPlots.montage(try StudySelection(store: few, filter: .all), store: few, by: .fold, perRow: 6).note == nil)
        // The report's: one mask per fold (of run 0) and one per run (of fold 0), the first decoded once.
        let montage = try #require(try MontageData.studyMontage(store: store, masks: selection.masks, atlas: try store.atlas(named: selection.masks[0].atlas)))
        #expect(montage.shown == 4 && montage.masks == 20 && montage.total == 30)
        #expect(montage.note == "4 of 20 masks of the first run or fold shown")
        // The picture says it too.
        #expect(montage.pictureNote(firstRun: 0, firstFold: 0)
            == "4 of 30 masks shown, 26 left out: per fold the lowest-id mask of run 0, per run that of fold 0, at most 12 a row.")
    }

    @Test func aVoxelOffTheGridIsNamedWithTheGrid() throws {
        let store = try Self.store()
        let id = "\(try store.masks()[0].id)"
        // The grid is 12 x 10 x 9: index 12 is one past the last along x.
        for point in [(12, 0, 0), (0, 10, 0), (0, 0, 9)] {
            #expect(throws: StudyError.pointOutsideGrid(shape: [12, 10, 9])) {
                try StudyPlots.mask(store: store, target: id, planes: SlicePlane.allCases, at: point)
            }
        }
        #expect(StudyError.pointOutsideGrid(shape: [12, 10, 9]).description == "'--at': the mask's grid is 12 x 10 x 9")
    }

    @Test func nothingToDrawIsAnError() throws {
        let store = try Self.store()
        let none = try StudySelection(store: store, filter: .equal(.fold, .number(9)))
        #expect(throws: StudyError.nothingSelected) { try StudyPlots.montage(none, store: store, by: .fold, perRow: 6) }
        #expect(throws: StudyError.nothingSelected) { try StudyPlots.similarity(none, by: .lambda1) }
        #expect(throws: StudyError.nothingSelected) { try StudyPlots.topRegions(none, k: 5, mergeHemispheres: false) }
        #expect(throws: StudyError.nothingSelected) { try StudyPlots.grid(none, rows: .lambda1, columns: .lambda2, value: .density) }
        // Masks, but no evaluations: no probability to draw.
        let all = try StudySelection(store: store, filter: .all)
        #expect(throws: StudyError.noNumericValue(.prob)) { try StudyPlots.grid(all, rows: .lambda1, columns: .lambda2, value: .prob) }
        #expect(StudyError.noNumericValue(.prob).description == "no selected mask has a numeric prob; nothing to draw")
    }

    @Test func gridValuesAreNamedAsUsersWriteThem() {
        #expect(GridValue(name: "density") == .density && GridValue(name: "prob") == .prob)
        #expect(GridValue(name: "params.steps") == .parameter("steps") && GridValue(name: "params.steps")?.description == "params.steps")
        #expect(GridValue(name: "lambda1") == nil && GridValue(name: "params.") == nil)
    }
}
