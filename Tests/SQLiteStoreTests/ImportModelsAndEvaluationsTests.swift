import Import
import Store
import StudyCore
import Foundation
import Testing

@testable import SQLiteStore

struct ImportModelsAndEvaluationsTests {
    let options = ImportOptions(command: "test")

    @Test func modelsGetArchitectureWeightsParametersAndMetrics() throws {
        let fixture = try StudyFixture()
        let store = try SQLiteStore.inMemory()
        _ = try store.importMasks(manifestPath: try fixture.smallStudy(), options: options)
        try Data([1, 2, 3, 4]).write(to: fixture.folder.appendingPathComponent("w00.pt"))
        let manifest = try fixture.manifest("models.tsv", [
            "fold\trun\tarchitecture\tweights\tparams.dropout\tmetric.ADNI-test.balanced_accuracy\tmetric.AIBL-test.balanced_accuracy",
            "0\t0\tConv5_FC3\tw00.pt\t0.79\t0.88\t0.9",
            "0\t1\tConv5_FC3\t\t0.79\t0.86\t",
        ])
        let first = try store.importModels(manifestPath: manifest, options: options)
        #expect(first.added == 2 && first.rejected.isEmpty)
        #expect(try store.importModels(manifestPath: manifest, options: options).unchanged == 2)
        let models = try store.models()
        #expect(models.count == 4)  // the two new rows matched models the masks created
        let m00 = try #require(models.first { $0.fold == 0 && $0.run == 0 })
        #expect(m00.architecture == "Conv5_FC3")
        #expect(m00.params.json == "{\"dropout\":\"0.79\"}")  // as written
        #expect(m00.weightsSHA256 == SHA256Digest.hex([1, 2, 3, 4]))
        #expect(m00.metrics == [
            .init(dataset: "ADNI-test", metric: "balanced_accuracy", value: 0.88),
            .init(dataset: "AIBL-test", metric: "balanced_accuracy", value: 0.9),
        ])
        #expect(models.first { $0.fold == 0 && $0.run == 1 }?.metrics.count == 1)
    }

    @Test func metricsAreDecimalNumbers() throws {
        let fixture = try StudyFixture()
        let store = try SQLiteStore.inMemory()
        let manifest = try fixture.manifest("m.tsv", [
            "fold\trun\tmetric.test.accuracy", "0\t0\t0x10", "0\t1\tinf", "0\t2\t.75",
        ])
        let summary = try store.importModels(manifestPath: manifest, options: options)
        #expect(summary.rejected.map(\.message) == ["metric.test.accuracy '0x10' is not a number", "metric.test.accuracy 'inf' is not a number"])
        #expect(try store.models().flatMap(\.metrics).map(\.value) == [0.75])
    }

    @Test func contradictingAModelIsRejectedAndChangesNothing() throws {
        let fixture = try StudyFixture()
        let store = try SQLiteStore.inMemory()
        let first = try fixture.manifest("a.tsv", ["fold\trun\tarchitecture\tparams.lr", "0\t0\tA\t0.001"])
        _ = try store.importModels(manifestPath: first, options: options)
        let second = try fixture.manifest("b.tsv", [
            // param.NAME, the spelling of earlier versions, names the same parameter.
            "fold\trun\tarchitecture\tparam.lr\tparams.batch", "0\t0\tB\t0.001\t8", "0\t0\tA\t0.01\t8",
        ])
        let summary = try store.importModels(manifestPath: second, options: options)
        #expect(summary.rejected.map(\.message) == [
            "already recorded with architecture 'A', not 'B'; pass --replace to overwrite it",
            "parameter lr is already recorded as {\"lr\":\"0.001\"}; pass --replace to overwrite it",
        ])
        // The rejected rows' other values (batch) were rolled back with them.
        #expect(try store.models().map(\.params.json) == ["{\"lr\":\"0.001\"}"])
    }

    @Test(arguments: ["accuracy", "param.", "params.", "metric.test"])
    func unknownModelColumnsRefuseTheManifest(column: String) throws {
        let fixture = try StudyFixture()
        let manifest = try fixture.manifest("m.tsv", ["fold\trun\t\(column)", "0\t0\t0.9"])
        #expect(throws: ImportError.badManifest(
            path: manifest,
            detail: "unknown column '\(column)'; model manifests take fold, run, study, model, architecture, weights, params.NAME and metric.DATASET.NAME")
        ) {
            try SQLiteStore.inMemory().importModels(manifestPath: manifest, options: options)
        }
    }

    @Test func bothSpellingsOfOneParameterRefuseTheManifest() throws {
        let fixture = try StudyFixture()
        let manifest = try fixture.manifest("m.tsv", ["fold\trun\tparam.lr\tparams.lr", "0\t0\t0.1\t0.2"])
        #expect(throws: ImportError.badManifest(path: manifest, detail: "two columns name the parameter lr; keep params.lr alone")) {
            try SQLiteStore.inMemory().importModels(manifestPath: manifest, options: options)
        }
    }

    @Test func evaluationsNameMasksByFileShaOrId() throws {
        let fixture = try StudyFixture()
        let store = try SQLiteStore.inMemory()
        _ = try store.importMasks(manifestPath: try fixture.smallStudy(), options: options)
        let mask = try store.masks()[0]
        let manifest = try fixture.manifest("evals.tsv", [
            "mask\tfold\trun\tprobability\tsubjects\ttrue_label\tn",
            "f0r0l0.nii.gz\t0\t1\t0.82\tAD\tAD\t40",
            "\(mask.sha256.prefix(10))\t1\t0\t0.78\tAD\tAD\t40",
            "\(mask.id)\t1\t1\t0.5\tAD\tAD\t",
            "f0r0l0.nii.gz\t0\t1\t1.5\tAD\tAD\t40",
            "deadbeefdeadbeef\t0\t1\t0.2\tAD\tAD\t40",
        ])
        let summary = try store.importEvaluations(manifestPath: manifest, options: options)
        #expect(summary.added == 3)
        #expect(summary.rejected.map(\.message) == [
            "probability is 1.5; it must be in [0, 1]", "not recorded in this database",
        ])
        #expect(try store.count("evaluations WHERE mask_id = \(mask.id)") == 3)
        // The same values again are a no-op; another probability for the same pair is refused.
        #expect(try store.importEvaluations(manifestPath: manifest, options: options).unchanged == 3)
        let changed = try fixture.manifest("changed.tsv", [
            "mask\tfold\trun\tprobability\tsubjects\ttrue_label\tn", "f0r0l0.nii.gz\t0\t1\t0.7\tAD\tAD\t40",
        ])
        #expect(try store.importEvaluations(manifestPath: changed, options: options).rejected.first?.message
            == "already recorded for this mask and model with probability 0.82; pass --replace to overwrite it (probability 0.82 → 0.7)")
        // Strict: a row rejected while checking (line 3) does not hide one rejected while
        // storing (line 4, after it); nothing is written, not even the new row (line 2), and
        // only the rejections are listed.
        let strictManifest = try fixture.manifest("strict.tsv", [
            "mask\tfold\trun\tprobability", "f0r0l1.nii.gz\t1\t0\t0.4", "f0r0l0.nii.gz\t0\t1\t1.5", "deadbeefdeadbeef\t0\t1\t0.2",
        ])
        let before = try store.count("evaluations")
        let strict = try store.importEvaluations(manifestPath: strictManifest, options: ImportOptions(strict: true, command: "strict"))
        #expect(strict.strictAbort && strict.added == 0 && strict.unchanged == 0)
        #expect(strict.rows.map { "\($0.line): \($0.message ?? "")" } == [
            "3: probability is 1.5; it must be in [0, 1]", "4: not recorded in this database",
        ])
        #expect(try store.count("evaluations") == before)
        // The same manifest without --strict adds the new row.
        #expect(try store.importEvaluations(manifestPath: strictManifest, options: options).added == 1)
    }

    @Test func anEvaluationOfAModelNotRecordedIsRejectedAndMakesNoModel() throws {
        let fixture = try StudyFixture()
        let store = try SQLiteStore.inMemory()
        _ = try store.importMasks(manifestPath: try fixture.smallStudy(), options: options)
        let models = try store.models().count
        // Fold 7 is a typo: the small study has folds 0 and 1.
        let manifest = try fixture.manifest("evals.tsv", ["mask\tfold\trun\tprobability", "f0r0l0.nii.gz\t7\t1\t0.8", "f0r0l0.nii.gz\t0\t1\t0.6"])
        let summary = try store.importEvaluations(manifestPath: manifest, options: options)
        #expect(summary.added == 1)
        #expect(summary.rejected.map { "\($0.line): \($0.message ?? "")" } == [
            "2: no model fold 7 run 1 is recorded in study 'default'; record it first with 'maskdb import models' (or its masks with 'maskdb import masks')",
        ])
        #expect(try store.models().count == models)
    }

    @Test func modelsAreFilteredOnTheirMetrics() throws {
        let fixture = try StudyFixture()
        let store = try SQLiteStore.inMemory()
        let manifest = try fixture.manifest("m.tsv", [
            "fold\trun\tmetric.ADNI-test.balanced_accuracy\tmetric.AIBL.v2.auc", "0\t0\t0.88\t0.7", "0\t1\t0.81\t", "1\t0\t\t0.9",
        ])
        #expect(try store.importModels(manifestPath: manifest, options: options).added == 3)
        func folds(_ expression: String) throws -> [String] {
            let filter = try FilterExpression.parse(expression, fields: StudyField.modelFields, parameters: true, metrics: true)
            return try store.models(where: filter).map { "\($0.fold)/\($0.run)" }
        }
        #expect(try folds("metric.ADNI-test.balanced_accuracy > 0.85") == ["0/0"])
        #expect(try folds("metric.ADNI-test.balanced_accuracy <= 0.85") == ["0/1"])  // a model without it is in neither
        #expect(try folds("metric.AIBL.v2.auc >= 0.7 and fold = 1") == ["1/0"])  // a dataset with a dot in its name
        #expect(try folds("metric.ADNI-test.balanced_accuracy in (0.88, 0.81)") == ["0/0", "0/1"])
        #expect(throws: FilterError.numberExpected(field: "metric.AIBL.v2.auc", value: "high", position: 22)) {
            try FilterExpression.parse("metric.AIBL.v2.auc = high", fields: StudyField.modelFields, parameters: true, metrics: true)
        }
        // Masks have no metrics.
        #expect(throws: FilterError.self) {
            try FilterExpression.parse("metric.AIBL.v2.auc > 0", fields: StudyField.maskFields, parameters: true)
        }
    }
}
