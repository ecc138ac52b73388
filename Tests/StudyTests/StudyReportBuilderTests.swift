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
            #expect(row.settings[.fold] == .number(Double(mask.fold)) && row.settings[.run] == .number(Double(mask.run)))
            #expect(row.settings[.lambda1] == .number(mask.lambda1) && row.settings[.lambda2] == .number(mask.lambda2))
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
        #expect(report.figures.map(\.name) == ["grid.svg", "similarity_lambda1.svg", "robustness.svg", "top_regions.svg", "montage.png"])
        #expect(report.figures[4].bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        let scratch = try ScratchFolder(prefix: "maskdb-report")
        let folder = scratch.path("a/b")
        let written = try StudyReportBuilder.write(report, to: folder)
        #expect(written.path == folder + "/report.md" && written.files == 13)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == [
            "grid.csv", "grid.svg", "measures.csv", "montage.png", "performance.csv", "provenance.csv", "report.md", "robustness.csv",
            "robustness.svg",
            "similarity_lambda1.csv", "similarity_lambda1.svg", "top_regions.csv", "top_regions.svg",
        ])
        let markdown = try String(contentsOfFile: written.path, encoding: .utf8)
        #expect(markdown.contains("> Made by a test.") && markdown.contains("main setting λ1 = 0.01, λ2 = 0.001"))
        // The same data, the same bytes.
        let again = try StudyReportBuilder.write(try StudyReportBuilder.build(store: store, study: nil, note: "Made by a test."), to: scratch.path("c"))
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
            #expect(FileManager.default.contents(atPath: folder + "/" + name) == FileManager.default.contents(atPath: scratch.path("c/" + name)))
        }
        #expect(again.files == 13)
    }

    @Test func anEarlierReportIsReplacedWholeAndLeftoversAreCleaned() throws {
        let report = try StudyReportBuilder.build(store: try StudyFixture.store(masks: Self.oneGridModel), study: nil, note: nil)
        let scratch = try ScratchFolder(prefix: "maskdb-report")
        let folder = scratch.path("r")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        _ = try scratch.write(Array("old".utf8), named: "r/report.md")
        _ = try scratch.write(Array("old".utf8), named: "r/old_table.csv")
        // What a killed run left: its temporary folder, and one set aside (dead processes).
        try FileManager.default.createDirectory(atPath: scratch.path(".r.report-tmp-2147483646"), withIntermediateDirectories: true)
        _ = try scratch.write([1], named: ".r.report-tmp-2147483646/report.md.partial-2147483646")
        try FileManager.default.createDirectory(atPath: scratch.path(".r.report-old-2147483645"), withIntermediateDirectories: true)
        let written = try StudyReportBuilder.write(report, to: folder)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(names.count == written.files && !names.contains("old_table.csv") && !names.contains { $0.contains("partial") })
        #expect(try String(contentsOfFile: written.path, encoding: .utf8) != "old")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).sorted() == ["r"])
        // A folder holding other files too is never replaced: the report's files go in beside them.
        try FileManager.default.createDirectory(atPath: scratch.path("mine"), withIntermediateDirectories: true)
        _ = try scratch.write([1], named: "mine/notes.txt")
        _ = try scratch.write([1], named: "mine/report.md")
        _ = try StudyReportBuilder.write(report, to: scratch.path("mine"))
        let mine = try FileManager.default.contentsOfDirectory(atPath: scratch.path("mine")).sorted()
        #expect(mine == (names + ["notes.txt"]).sorted())
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).sorted() == ["mine", "r"])
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

/// `--where`, `--main`, and what the report says of them, of its pairs and of its masks' files.
extension StudyReportBuilderTests {
    @Test func mainFixesTheSettingsItGivesAndChoosesTheRest() throws {
        let store = try StudyFixture.store(masks: Self.oneGridModel)
        // λ1 = 0.1: only fold 0 run 0 has it; λ2 is still chosen, among its masks.
        let given = try StudyReportBuilder.build(store: store, study: nil, main: try MainSettingRequest.parse(["lambda1=0.1"]), note: nil)
        #expect(given.mainSetting == "λ1 = 0.1, λ2 = 0.001")
        #expect(given.mainSettingRule == "λ1 given by --main, the rest chosen automatically among its masks: the setting shared by the most models (1 of the 4 models; ties go to the smallest λ2, then β1, β2, subjects)")
        #expect(!given.topRegions.isEmpty && given.topRegions.allSatisfy { $0.masks == 1 })
        let automatic = try StudyReportBuilder.build(store: store, study: nil, note: nil)
        #expect(automatic.mainSettingRule == "chosen automatically: the setting shared by the most models (4 of the 4 models; ties go to the smallest λ1, then λ2, β1, β2, subjects)")
        // Every setting given (these masks have no β: a setting they lack is missing).
        let every = MainSettingRequest([.lambda1: .number(0.01), .lambda2: .number(0.001), .beta1: .missing, .beta2: .missing, .subjects: .text("")])
        let fixed = try StudyReportBuilder.build(store: store, study: nil, main: every, note: nil)
        #expect(fixed.mainSetting == "λ1 = 0.01, λ2 = 0.001")
        #expect(fixed.mainSettingRule == "given by --main; 4 of the 4 models have masks there")
    }

    @Test func mainIsWrittenAsEqualitiesOnSettings() throws {
        let joined = try MainSettingRequest.parse(["lambda1=0.01 and subjects=AD"])
        #expect(joined == MainSettingRequest([.lambda1: .number(0.01), .subjects: .text("AD")]))
        #expect(try MainSettingRequest.parse(["lambda1=0.01", "subjects = AD"]) == joined)
        #expect(try MainSettingRequest.parse([]) == MainSettingRequest())
        func message(_ texts: String...) -> String {
            do {
                _ = try MainSettingRequest.parse(texts)
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        #expect(message("lamda1=0.01") == "unknown field 'lamda1' at position 1; did you mean 'lambda1'? known fields: lambda1, lambda2, beta1, beta2, subjects, kind, method, subject")
        #expect(message("fold=0") == "unknown field 'fold' at position 1; known fields: lambda1, lambda2, beta1, beta2, subjects, kind, method, subject")
        #expect(message("lambda1 < 0.1") == "'lambda1 < 0.1' is not settings written FIELD=VALUE and joined by 'and' (e.g. \"lambda1=0.01 and lambda2=0.001\")")
        #expect(message("lambda1=0.1 or lambda1=0.01") == "'lambda1=0.1 or lambda1=0.01' is not settings written FIELD=VALUE and joined by 'and' (e.g. \"lambda1=0.01 and lambda2=0.001\")")
        #expect(message("lambda1=0.1", "lambda1=0.01") == "lambda1 is given twice")
    }

    @Test func mainValuesNoMaskHasAreRefusedWithTheRecordedOnes() throws {
        let store = try StudyFixture.store(masks: Self.oneGridModel)
        func message(_ main: String, where filter: FilterExpression = .all) -> String {
            do {
                _ = try StudyReportBuilder.build(store: store, study: nil, where: filter, selection: filter == .all ? nil : "…", main: try MainSettingRequest.parse([main]), note: nil)
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        #expect(message("lambda1=0.02") == "no mask has lambda1 = 0.02; recorded: 0.001, 0.01, 0.1")
        // A value recorded, but not with the values given before it.
        #expect(message("lambda1=0.1 and subjects=AD") == "no mask with lambda1 = 0.1 has subjects = AD; recorded there: ''")
        #expect(message("lambda2=0.01 and lambda1=0.1") == "no mask with lambda1 = 0.1 has lambda2 = 0.01; recorded there: 0.001")
        // Within a selection, the values recorded are the selected masks'.
        #expect(message("lambda1=0.1", where: .equal(.fold, .number(1))) == "no selected mask has lambda1 = 0.1; recorded: 0.01")
    }

    @Test func whereRestrictsTheReportToItsMasksAndTheirModels() throws {
        let models: [StudyFixture.Model] = [
            .init(fold: 0, run: 0, metrics: ["AIBL-test.auc": 0.75]), .init(fold: 0, run: 1, metrics: ["AIBL-test.auc": 0.5]),
            .init(fold: 1, run: 0, metrics: ["AIBL-test.auc": 1]), .init(fold: 1, run: 1, metrics: ["AIBL-test.auc": 1]),
        ]
        let store = try StudyFixture.store(masks: Self.oneGridModel, models: models)
        let report = try StudyReportBuilder.build(store: store, study: nil, where: .equal(.fold, .number(0)), selection: "fold = 0", note: nil)
        #expect(report.maskCount == 4 && report.modelCount == 2 && report.folds == [.number(0)])
        #expect(report.performance.count == 1 && report.performance[0].spread.mean == 0.625 && report.performance[0].spread.count == 2)
        #expect(report.provenance.map(\.settings[.fold]) == Array(repeating: .number(0), count: 4))
        #expect(report.selection == "fold = 0")
        // Two models at λ1 = 0.01 (fold 0's runs 0 and 1).
        #expect(report.mainSettingRule.contains("(2 of the 2 models;"))
        #expect(throws: StudyError.noMaskSelected(study: "study", expression: "fold = 9")) {
            try StudyReportBuilder.build(store: store, study: nil, where: .equal(.fold, .number(9)), selection: "fold = 9", note: nil)
        }
        #expect(StudyError.noMaskSelected(study: "study", expression: "fold = 9").description == "no mask of study 'study' matches --where \"fold = 9\"; a report needs masks")
    }

    @Test func theMarkdownStatesTheSelectionTheMainSettingAndThePairs() throws {
        // Fold 1 run 1 also at λ1 = 0.5: pairs (0.01, 0.5) exist, (0.001, 0.5) and (0.1, 0.5) do not.
        let masks = Self.oneGridModel + [Mask(fold: 1, run: 1, lambda1: 0.5, keep: 0.5)]
        let store = try StudyFixture.store(masks: masks)
        let report = try StudyReportBuilder.build(
            store: store, study: nil, where: .not(.equal(.run, .number(9))), selection: "not run = 9", main: MainSettingRequest([.lambda1: .number(0.01)]), note: nil)
        let markdown = String(decoding: try #require(report.files().first { $0.name == "report.md" }).bytes, as: UTF8.self)
        func section(_ title: String) -> String {
            let start = markdown.range(of: "## " + title)!.upperBound
            let end = markdown[start...].range(of: "\n## ")?.lowerBound ?? markdown.endIndex
            return String(markdown[start..<end])
        }
        #expect(section("Study").trimmingCharacters(in: .newlines) == """
            - selection: the masks matching `--where "not run = 9"`, and their models
            - 4 models over folds 0, 1 and runs 0, 1
            - 7 masks, with λ1 in {0.001, 0.01, 0.1, 0.5} and λ2 in {0.001}
            - main setting λ1 = 0.01, λ2 = 0.001; the top regions and the montage show its masks
              - λ1 given by --main, the rest chosen automatically among its masks: the setting shared by the most models (4 of the 4 models; ties go to the smallest λ2, then β1, β2, subjects)
            - 0 evaluations (probabilities of masked inputs)
            - densities over the aal2 atlas
            """)
        // Uniform masks: every cosine is 1. Fold 0 run 0 pairs 0.001, 0.01 and 0.1; fold 1 run 1 pairs 0.01 and 0.5.
        #expect(section("ROI-based similarity across values of λ1").hasSuffix("""
            | lambda1 | 0.001 | 0.01 | 0.1 | 0.5 |
            |---|---|---|---|---|
            | 0.001 | 1.000 | 1.000 (1) | 1.000 (1) | – |
            | 0.01 | 1.000 (1) | 1.000 | 1.000 (1) | 1.000 (1) |
            | 0.1 | 1.000 (1) | 1.000 (1) | 1.000 | – |
            | 0.5 | – | 1.000 (1) | – | 1.000 |

            –: no pair of masks differs in λ1 alone between these values, so there is no mean.

            - λ1 0.001 vs 0.5: 0 pairs: the masks differ in fold and run
            - λ1 0.1 vs 0.5: 0 pairs: the masks differ in fold and run

            ![ROI-based similarity between masks optimized with different λ1 (1 = same regions); the colours span the off-diagonal cells' range, stated below the matrix.](similarity_lambda1.svg)

            _ROI-based similarity between masks optimized with different λ1 (1 = same regions); the colours span the off-diagonal cells' range, stated below the matrix._ (`similarity_lambda1.svg`)

            """))
        // No evaluations: no prob_cnn pair. Inter-runs: the two folds' runs 0 and 1 at λ1 = 0.01; inter-folds: the two runs' folds.
        #expect(section("CNN robustness: inter-runs and inter-folds").hasSuffix("""
            | metric | inter_runs | 95% CI | inter_runs_pairs | inter_folds | 95% CI | inter_folds_pairs | difference | 95% CI | p |
            |---|---|---|---:|---|---|---:|---|---|---|
            | prob_cnn | – | – | 0 | – | – | 0 | – | – | – |
            | roi_cosine | 1.000 | – | 2 | 1.000 | [1.000, 1.000] | 2 | 0.000 | – | – |

            –: no such pair, so there is no mean (prob_cnn needs evaluations of masks by other runs' and folds' models: `maskdb import evaluations`).

            A mean with – for its interval: too few models for the bootstrap to tell (fewer than half the resamples have a pair), or pairs pooled over models.

            95% intervals: mean ± t sd, the variance from bootstraps over models (folds, runs and both resampled) combined as variance components, Satterthwaite df; 10000 resamples, seed 1; p: two-sided, the level at which the difference's interval reaches 0; difference = inter_runs - inter_folds (the CSV has every bound, and the baseline's pairs).

            Random-pair baseline: roi_cosine 1.000 over the 11 pairs of masks of different models and different settings, the similarity of masks that share nothing the study varies.

            ![Mean ROI cosine similarity of inter-run and inter-fold pairs, whiskers their 95% intervals (a bootstrap of models), beside the random-pair baseline.](robustness.svg)

            _Mean ROI cosine similarity of inter-run and inter-fold pairs, whiskers their 95% intervals (a bootstrap of models), beside the random-pair baseline._ (`robustness.svg`)

            """))
        let csv = String(decoding: try #require(report.files().first { $0.name == "similarity_lambda1.csv" }).bytes, as: UTF8.self)
        // Each cell's pairs are of one model: no interval.
        let header = "lambda1,0.001,0.01,0.1,0.5,pairs 0.001,pairs 0.01,pairs 0.1,pairs 0.5,"
            + "lower 0.001,lower 0.01,lower 0.1,lower 0.5,upper 0.001,upper 0.01,upper 0.1,upper 0.5"
        #expect(csv.split(separator: "\n").first.map(String.init) == header)
        #expect(csv.split(separator: "\n")[1].hasSuffix(",0,1,1,0,,,,,,,,"))
    }

    @Test func provenanceShowsPathsFromTheManifestAndTheSettingsThatDiffer() throws {
        // A nested layout: every file is mask.nii.gz; lr differs, the optimizer does not.
        let masks = [
            Mask(fold: 0, run: 0, lambda1: 0.01, parameters: ["lr": "0.1", "optimizer": "adam"], keep: 0.75, path: "fold-0/run-0/mask.nii.gz"),
            Mask(fold: 0, run: 1, lambda1: 0.01, parameters: ["lr": "0.2", "optimizer": "adam"], keep: 0.5, path: "fold-0/run-1/mask.nii.gz"),
            Mask(fold: 1, run: 0, lambda1: 0.01, parameters: ["lr": "0.1", "optimizer": "adam"], keep: 0.25, path: "fold-1/run-0/mask.nii.gz"),
        ]
        let report = try StudyReportBuilder.build(store: try StudyFixture.store(masks: masks), study: nil, note: nil)
        #expect(report.provenance.map(\.source) == ["fold-0/run-0/mask.nii.gz", "fold-0/run-1/mask.nii.gz", "fold-1/run-0/mask.nii.gz"])
        let files = report.files()
        let markdown = String(decoding: try #require(files.first { $0.name == "report.md" }).bytes, as: UTF8.self)
        let appendix = String(markdown[markdown.range(of: "## Appendix: provenance of every mask")!.upperBound...])
        let digests = masks.map { SHA256.hash(data: $0.fileBytes).map { String(format: "%02x", $0) }.joined() }
        #expect(appendix.hasSuffix("""
            Every mask has study = study, λ1 = 0.01, λ2 = 0.001, semantics = keep, kind = mask, atlas = aal2, params.optimizer = adam.

            | id | sha256 (prefix) | fold | run | params.lr | source |
            |---:|---|---:|---:|---:|---|
            | 1 | \(digests[0].prefix(12)) | 0 | 0 | 0.1 | fold-0/run-0/mask.nii.gz |
            | 2 | \(digests[1].prefix(12)) | 0 | 1 | 0.2 | fold-0/run-1/mask.nii.gz |
            | 3 | \(digests[2].prefix(12)) | 1 | 0 | 0.1 | fold-1/run-0/mask.nii.gz |

            """))
        // The CSV: every field, constant or not, and the full digests.
        let csv = String(decoding: try #require(files.first { $0.name == "provenance.csv" }).bytes, as: UTF8.self)
        #expect(csv == """
            id,sha256,study,fold,run,model,lambda1,lambda2,beta1,beta2,subjects,semantics,kind,method,subject,atlas,params.lr,params.optimizer,source
            1,\(digests[0]),study,0,0,,0.01,0.001,,,,keep,mask,,,aal2,0.1,adam,fold-0/run-0/mask.nii.gz
            2,\(digests[1]),study,0,1,,0.01,0.001,,,,keep,mask,,,aal2,0.2,adam,fold-0/run-1/mask.nii.gz
            3,\(digests[2]),study,1,0,,0.01,0.001,,,,keep,mask,,,aal2,0.1,adam,fold-1/run-0/mask.nii.gz

            """)
    }

    /// The markdown lists a bounded number of masks and says so; the CSV lists every one.
    @Test func theMarkdownsProvenanceIsBoundedAndSaysWhereTheRestIs() throws {
        let shown = StudyReport.provenanceShown
        let masks = (0..<(shown + 1)).map { Mask(fold: 0, run: $0, lambda1: 0.01, keep: Float($0 % 97) / 96) }
        let files = try StudyReportBuilder.build(store: try StudyFixture.store(masks: masks), study: nil, note: nil).files()
        let markdown = String(decoding: try #require(files.first { $0.name == "report.md" }).bytes, as: UTF8.self)
        let appendix = String(markdown[markdown.range(of: "## Appendix: provenance of every mask")!.upperBound...])
        let rows = appendix.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| id ") }
        #expect(rows.count == shown && rows.first?.hasPrefix("| 1 |") == true && rows.last?.hasPrefix("| \(shown) |") == true)
        #expect(appendix.hasSuffix("\nThe first \(shown) of the \(shown + 1) masks, by id; every one is in `provenance.csv`.\n"))
        let csv = String(decoding: try #require(files.first { $0.name == "provenance.csv" }).bytes, as: UTF8.self)
        #expect(csv.split(separator: "\n").count == 1 + masks.count)
    }

    @Test func sourcePathsAreRelativeToTheManifestsFolder() {
        #expect(SourcePath.relative("/data/study/fold-0/run-1/mask.nii.gz", toManifest: "/data/study/masks.tsv") == "fold-0/run-1/mask.nii.gz")
        #expect(SourcePath.relative("/data/other/mask.nii.gz", toManifest: "/data/study/masks.tsv") == "../other/mask.nii.gz")
        #expect(SourcePath.relative("/elsewhere/mask.nii.gz", toManifest: "/data/study/masks.tsv") == "../../elsewhere/mask.nii.gz")
        #expect(SourcePath.relative("/data/study/mask.nii.gz", toManifest: "/data/study/sub/masks.tsv") == "../mask.nii.gz")
        #expect(SourcePath.relative("/mask.nii.gz", toManifest: "/masks.tsv") == "mask.nii.gz")
        // A pattern import records ROOT//PATTERN: its paths are relative to ROOT, as a manifest's in ROOT.
        let pattern = "/data/study//results/fold-{fold}/**/mask.nii.gz"
        #expect(SourcePath.relative("/data/study/results/fold-0/x/mask.nii.gz", toManifest: pattern) == "results/fold-0/x/mask.nii.gz")
        #expect(SourcePath.relative("/mask.nii.gz", toManifest: "///*.nii.gz") == "mask.nii.gz")
        // A manifest read from standard input has no folder: the path stays as recorded.
        #expect(SourcePath.relative("/data/study/mask.nii.gz", toManifest: "(standard input)") == "/data/study/mask.nii.gz")
    }
}
