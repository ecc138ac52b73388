import Analysis
import Crypto
import Foundation
import NIfTIFixtures
import Reports
import SQLiteStore
import StudyCore
import Testing

@testable import Study

/// The report of a study: which setting is its main one, which masks its grid shows, its
/// models' performance and its provenance, and where it may be written.
struct StudyReportBuilderTests {
    typealias Mask = StudyFixture.Mask

    /// Every model of 2 folds x 2 runs at λ1 = 0.01; the first also at 0.1 and 0.001: a grid
    /// search on one model. Perturbations (1 - keep) 0.25 at 0.01, 0.5 at 0.1, 0.75 at 0.001.
    static let oneGridModel: [Mask] = [
        Mask(fold: 0, run: 0, lambda1: 0.01, keep: 0.75), Mask(fold: 0, run: 0, lambda1: 0.1, keep: 0.5),
        Mask(fold: 0, run: 0, lambda1: 0.001, keep: 0.25), Mask(fold: 0, run: 1, lambda1: 0.01, keep: 0.75),
        Mask(fold: 1, run: 0, lambda1: 0.01, keep: 0.75), Mask(fold: 1, run: 1, lambda1: 0.01, keep: 0.75),
    ]

    @Test func theMainSettingIsTheOneMostModelsShare() throws {
        let report = try StudyReportBuilder.build(store: try StudyFixture.store(masks: Self.oneGridModel), study: nil, note: nil)
        // Four models at λ1 = 0.01, though 0.001 is smaller; an empty subject set is not named.
        #expect(report.mainSetting == "λ1 = 0.01, λ2 = 0.001")
        // The top regions are those of the four masks at the main setting only.
        #expect(!report.topRegions.isEmpty && report.topRegions.allSatisfy { $0.masks == 4 })
        #expect(report.topK == 5)
        #expect(report.study == "study" && report.modelCount == 4 && report.maskCount == 6 && report.evaluationCount == 0)
        #expect(report.folds == [.number(0), .number(1)] && report.runs == [.number(0), .number(1)])
        #expect(report.lambda1s == [.number(0.001), .number(0.01), .number(0.1)] && report.lambda2s == [.number(0.001)])
        #expect(report.atlas == "aal2")
    }

    @Test func theGridShowsTheModelsWithSeveralLambdaSettings() throws {
        let report = try StudyReportBuilder.build(store: try StudyFixture.store(masks: Self.oneGridModel), study: "study", note: nil)
        #expect(report.gridScope == "the masks of the model with several λ settings (fold 0 run 0)")
        #expect(report.grid.rows == [.number(0.001), .number(0.01), .number(0.1)] && report.grid.columns == [.number(0.001)])
        // Only fold 0 run 0's masks: one per cell, each its own perturbation.
        #expect(report.grid.counts == [[1], [1], [1]])
        #expect(report.grid.means == [[0.75], [0.25], [0.5]])

        // Two grid models: both named, in order; the others' masks left out.
        let two = Self.oneGridModel + [Mask(fold: 1, run: 1, lambda1: 0.1, keep: 0.875)]
        let both = try StudyReportBuilder.build(store: try StudyFixture.store(masks: two), study: nil, note: nil)
        #expect(both.gridScope == "the masks of the 2 models with several λ settings (fold 0 run 0; fold 1 run 1)")
        #expect(both.grid.counts == [[1], [2], [2]])
        // λ1 = 0.1: fold 0 run 0 (0.5) and fold 1 run 1 (1 - 0.875 = 0.125).
        #expect(both.grid.means == [[0.75], [0.25], [(0.5 + 0.125) / 2]])
    }

    @Test func tiesGoToTheSmallestSettingAndNoGridModelMeansAllMasks() throws {
        // Two models at λ1 = 0.1, two at 0.01: a tie, which the smaller value wins.
        let tied = [
            Mask(fold: 0, run: 0, lambda1: 0.1, keep: 0.75), Mask(fold: 0, run: 1, lambda1: 0.1, keep: 0.5),
            Mask(fold: 1, run: 0, lambda1: 0.01, keep: 0.875), Mask(fold: 1, run: 1, lambda1: 0.01, keep: 0.625),
        ]
        let report = try StudyReportBuilder.build(store: try StudyFixture.store(masks: tied), study: nil, note: nil)
        #expect(report.mainSetting == "λ1 = 0.01, λ2 = 0.001")
        #expect(report.topRegions.allSatisfy { $0.masks == 2 })
        #expect(report.gridScope == "all masks")
        // λ1 = 0.01: (0.125 + 0.375) / 2; λ1 = 0.1: (0.25 + 0.5) / 2.
        #expect(report.grid.means == [[0.25], [0.375]] && report.grid.counts == [[2], [2]])

        // The same λs and subject sets AD and CN, one model each: AD comes first, and is named.
        let subjects = [
            Mask(fold: 0, run: 0, lambda1: 0.01, subjects: "CN"), Mask(fold: 0, run: 1, lambda1: 0.01, subjects: "AD"),
        ]
        let named = try StudyReportBuilder.build(store: try StudyFixture.store(masks: subjects), study: nil, note: nil)
        #expect(named.mainSetting == "λ1 = 0.01, λ2 = 0.001, subjects = AD")
        #expect(named.topRegions.allSatisfy { $0.masks == 1 })
    }

    @Test func performanceIsEachMetricsMeanAndSampleDeviation() throws {
        let models: [StudyFixture.Model] = [
            .init(fold: 0, run: 0, metrics: ["AIBL-test.balanced_accuracy": 0.75, "ADNI-test.auc": 0.8, "OASIS-test.auc": 0.7]),
            .init(fold: 0, run: 1, metrics: ["AIBL-test.balanced_accuracy": 0.5, "ADNI-test.auc": 0.9]),
            .init(fold: 1, run: 0, metrics: ["AIBL-test.balanced_accuracy": 0.625]),
            .init(fold: 1, run: 1, metrics: ["AIBL-test.balanced_accuracy": 1]),
        ]
        let masks = models.map { Mask(fold: $0.fold, run: $0.run, lambda1: 0.01) }
        let report = try StudyReportBuilder.build(store: try StudyFixture.store(masks: masks, models: models), study: nil, note: nil)
        // By dataset, then metric.
        #expect(report.performance.map { "\($0.dataset) \($0.metric)" } == ["ADNI-test auc", "AIBL-test balanced_accuracy", "OASIS-test auc"])
        let adni = report.performance[0].spread, aibl = report.performance[1].spread, oasis = report.performance[2].spread
        // 0.8 and 0.9: mean 0.85, deviations ±0.05, sd sqrt(2 x 0.0025 / 1).
        #expect(adni.count == 2 && abs(adni.mean - 0.85) < 1e-12 && abs(adni.sd! - 0.005.squareRoot()) < 1e-12)
        // 0.75, 0.5, 0.625, 1: mean 2.875 / 4 = 0.71875; squared deviations
        // 0.03125², 0.21875², 0.09375², 0.28125² sum to 0.13671875, over n - 1 = 3.
        #expect(aibl.count == 4 && aibl.mean == 0.71875 && abs(aibl.sd! - (0.13671875 / 3).squareRoot()) < 1e-12)
        // One model: no deviation.
        #expect(oasis.count == 1 && oasis.mean == 0.7 && oasis.sd == nil)
    }

    @Test func provenanceListsEveryMaskWithItsFilesDigest() throws {
        let masks = Self.oneGridModel
        let report = try StudyReportBuilder.build(store: try StudyFixture.store(masks: masks), study: nil, note: nil)
        #expect(report.provenance.count == 6)
        #expect(report.provenance.map(\.id) == report.provenance.map(\.id).sorted())
        for row in report.provenance {
            let mask = try #require(masks.first { $0.fileName == row.source }, "\(row.source) is a file name of the study")
            let digest = SHA256.hash(data: mask.fileBytes).map { String(format: "%02x", $0) }.joined()
            #expect(row.sha256 == digest)
            #expect(row.fold == mask.fold && row.run == mask.run && row.lambda1 == mask.lambda1 && row.lambda2 == mask.lambda2)
        }
        #expect(Set(report.provenance.map(\.source)).count == 6)
    }

    @Test func whichStudyIsSaidInOneLine() throws {
        let empty = try SQLiteStore.inMemory()
        #expect(throws: StudyError.noStudy) { try StudyReportBuilder.build(store: empty, study: nil, note: nil) }
        #expect(StudyError.noStudy.description == "the database has no study yet; import masks first")

        let two = try StudyFixture.store(study: "b", masks: [Mask(fold: 0, run: 0, lambda1: 0.1)])
        try StudyFixture.add(study: "a", masks: [Mask(fold: 0, run: 0, lambda1: 0.1)], to: two)
        #expect(throws: StudyError.severalStudies(names: ["a", "b"])) { try StudyReportBuilder.build(store: two, study: nil, note: nil) }
        #expect(StudyError.severalStudies(names: ["a", "b"]).description == "the database has several studies (a, b); pick one with --study")
        #expect(try StudyReportBuilder.build(store: two, study: "a", note: nil).maskCount == 1)

        #expect(throws: StudyError.unknownStudy(name: "c", location: two.location, known: ["a", "b"])) {
            try StudyReportBuilder.build(store: two, study: "c", note: nil)
        }
        #expect(StudyError.unknownStudy(name: "c", location: "x.sqlite", known: ["a", "b"]).description == "no study 'c' in x.sqlite; it has a, b")

        try two.initialize(study: "empty", command: "StudyTests")
        #expect(throws: StudyError.studyWithoutMasks(name: "empty")) { try StudyReportBuilder.build(store: two, study: "empty", note: nil) }
        #expect(StudyError.studyWithoutMasks(name: "empty").description == "study 'empty' has no masks yet; import masks first")
    }

    @Test func theReportIsWrittenWithItsFiguresIntoANewFolder() throws {
        let store = try StudyFixture.store(masks: Self.oneGridModel)
        let report = try StudyReportBuilder.build(store: store, study: nil, note: "Made by a test.")
        #expect(report.figures.map(\.name) == ["grid.svg", "similarity_lambda1.svg", "top_regions.svg", "montage.png"])
        #expect(report.figures[3].bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        let scratch = try ScratchFolder(prefix: "maskdb-report")
        let folder = scratch.path("a/b")
        let written = try StudyReportBuilder.write(report, to: folder)
        #expect(written.path == folder + "/report.md" && written.files == 11)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == [
            "grid.csv", "grid.svg", "montage.png", "performance.csv", "provenance.csv", "report.md", "robustness.csv",
            "similarity_lambda1.csv", "similarity_lambda1.svg", "top_regions.csv", "top_regions.svg",
        ])
        let markdown = try String(contentsOfFile: written.path, encoding: .utf8)
        #expect(markdown.contains("> Made by a test.") && markdown.contains("main setting λ1 = 0.01, λ2 = 0.001"))
        // The same data, the same bytes.
        let again = try StudyReportBuilder.write(try StudyReportBuilder.build(store: store, study: nil, note: "Made by a test."), to: scratch.path("c"))
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
            #expect(FileManager.default.contents(atPath: folder + "/" + name) == FileManager.default.contents(atPath: scratch.path("c/" + name)))
        }
        #expect(again.files == 11)
    }

    @Test func aFileInTheWayOfTheFolderIsRefusedBeforeAnythingIsMade() throws {
        let scratch = try ScratchFolder(prefix: "maskdb-report")
        let file = try scratch.write([1], named: "a file")
        #expect(throws: StudyError.notAFolder(folder: file, file: file)) { try StudyReportBuilder.checkFolder(file) }
        #expect(StudyError.notAFolder(folder: file, file: file).description == "\(file): a file, not a folder; give --out a folder")
        #expect(throws: StudyError.notAFolder(folder: file + "/x/y", file: file)) { try StudyReportBuilder.checkFolder(file + "/x/y") }
        #expect(StudyError.notAFolder(folder: "f/x", file: "f").description == "f/x: f is a file, not a folder; give --out a folder")
        #expect(StudyError.unwritableFolder(folder: "f/x", existing: "f").description == "f/x: f is not writable; give --out a folder you can write to")
        // A folder that does not exist yet, under one that does, is fine, and is not made.
        try StudyReportBuilder.checkFolder(scratch.path("new/deeper"))
        #expect(!FileManager.default.fileExists(atPath: scratch.path("new")))
    }
}
