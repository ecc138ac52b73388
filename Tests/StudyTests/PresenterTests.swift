import Atlas
import Foundation
import NIfTI
import NIfTIFixtures
import Reports
import SQLiteStore
import Store
import StudyCore
import Testing

@testable import Study

/// What the listing and summary commands print: tables of records, an audit, an image summary.
struct PresenterTests {
    typealias Mask = StudyFixture.Mask

    static let masks = [
        Mask(fold: 0, run: 1, lambda1: 0.01, subjects: "AD", parameters: ["optimizer": "adam"], keep: 0.75),
        Mask(fold: 1, run: 0, lambda1: 0.1, lambda2: 0.0001, subjects: "AD", parameters: ["optimizer": "sgd"], keep: 0.5),
    ]
    static let models: [StudyFixture.Model] = [
        .init(fold: 0, run: 1, metrics: ["AIBL-test.balanced_accuracy": 0.75, "ADNI-test.auc": 0.8]),
        .init(fold: 1, run: 0, metrics: ["AIBL-test.balanced_accuracy": 0.5]),
        .init(fold: 2, run: 0, metrics: [:]),
    ]

    @Test func masksHaveOneColumnPerFieldAndPeopleGetDigestPrefixes() throws {
        let store = try StudyFixture.store(masks: Self.masks, models: Self.models)
        let records = try store.masks()
        let long = RecordTables.masks(records, short: false)
        #expect(long.columns.map(\.name) == [
            "id", "sha256", "study", "fold", "run", "model", "lambda1", "lambda2", "beta1", "beta2", "subjects", "semantics", "kind",
            "method", "subject", "atlas", "params", "annotations", "source",
        ])
        // λ and β print as exactly as stored, whatever the format.
        #expect(long.columns.filter { $0.decimals == nil }.map(\.name) == ["lambda1", "lambda2", "beta1", "beta2"])
        let index = try #require(records.firstIndex { $0.fold == 1 })
        let mask = records[index]
        #expect(long.rows[index] == [
            .integer(Int(mask.id)), .text(mask.sha256), .text("study"), .integer(1), .integer(0), .text(""), .number(0.1),
            .number(0.0001), .empty, .empty, .text("AD"), .text("keep"), .text("mask"), .text(""), .text(""),
            .text("aal2"), .text(mask.params.json), .text(""), .text(mask.source),
        ])
        #expect(mask.sha256.count == 64 && mask.params.json.contains("sgd"))
        let short = RecordTables.masks(records, short: true)
        #expect(short.rows[index][1] == .text(String(mask.sha256.prefix(12))))
        #expect(short.rows.map { Array($0.dropFirst(2)) } == long.rows.map { Array($0.dropFirst(2)) })
    }

    @Test func modelsHaveAColumnPerMetricAnyModelReports() throws {
        let store = try StudyFixture.store(masks: Self.masks, models: Self.models)
        let table = RecordTables.models(try store.models())
        #expect(table.columns.map(\.name) == [
            "id", "study", "fold", "run", "model", "architecture", "masks", "weights_sha256", "params",
            "metric.ADNI-test.auc", "metric.AIBL-test.balanced_accuracy",
        ])
        // By fold and run: (0, 1) and (1, 0) have one mask each, (2, 0) none and one metric missing.
        #expect(table.rows.map { $0[2] } == [.integer(0), .integer(1), .integer(2)])
        #expect(table.rows.map { $0[6] } == [.integer(1), .integer(1), .integer(0)])
        #expect(table.rows.map { Array($0.suffix(2)) } == [[.number(0.8), .number(0.75)], [.empty, .number(0.5)], [.empty, .empty]])
        #expect(table.rows.allSatisfy { $0[7] == .text("") && $0[8] == .text("") })
    }

    @Test func densitiesAndQueriesAreTablesOfTheirValues() {
        let vector = RegionDensities(
            regions: [AtlasRegion(label: 5, name: "Five"), AtlasRegion(label: 9, name: "Nine")], densities: [0.25, nil],
            voxelCounts: [3, 0])
        let densities = RecordTables.densities(vector)
        #expect(densities.rendered(as: .csv) == "label,name,density,voxels\n5,Five,0.25,3\n9,Nine,,0\n")

        let query = RecordTables.query(
            columns: ["n", "x", "t", "b", "z"], rows: [[.integer(3), .real(0.5), .text("a,b"), .blob(size: 10), .null]])
        #expect(query.columns.allSatisfy { $0.decimals == nil })
        #expect(query.rows == [[.integer(3), .number(0.5), .text("a,b"), .text("<blob 10 bytes>"), .empty]])
    }

    @Test func anAuditSaysEverySettingAndWhereTheMaskCameFrom() throws {
        let store = try StudyFixture.store(masks: Self.masks, models: Self.models)
        let records = try store.audit(try store.masks(where: .equal(.fold, .number(0)))[0].sha256)
        let record = try #require(records.first)
        let mask = record.mask
        let manifest = try #require(record.manifestPath)
        #expect(AuditSummary.text(records) == """
            mask \(mask.id)  sha256 \(mask.sha256)
              study        study
              fold 0, run 1
              λ1 0.01, λ2 0.001, β1 -, β2 -
              subjects     AD
              semantics    keep
              atlas        aal2
              settings     \(mask.params.json)
              model        id \(record.model.id)
                ADNI-test auc = 0.8
                AIBL-test balanced_accuracy = 0.75
              source       \(mask.source)
              imported     \(mask.importedAt) from \(manifest) line 2
              by           StudyTests
            """)
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(AuditSummary.json(records).rendered(pretty: true).utf8)) as? [[String: Any]])
        #expect(json.count == 1)
        let object = json[0]
        #expect(object["mask_id"] as? Int == Int(mask.id) && object["sha256"] as? String == mask.sha256)
        #expect(object["fold"] as? Int == 0 && object["run"] as? Int == 1)
        #expect(object["lambda1"] as? Double == 0.01 && object["lambda2"] as? Double == 0.001)
        #expect(object["beta1"] is NSNull && object["subjects"] as? String == "AD" && object["semantics"] as? String == "keep")
        #expect((object["params"] as? [String: Any])?["optimizer"] as? String == "adam")
        #expect(object["manifest_line"] as? Int == 2 && object["import_command"] as? String == "StudyTests")
        let model = try #require(object["model"] as? [String: Any])
        #expect((model["metrics"] as? [String: Double]) == ["ADNI-test.auc": 0.8, "AIBL-test.balanced_accuracy": 0.75])
        #expect(model["weights_sha256"] is NSNull)
    }

    @Test func anImageSummaryReadsAsNibabelWould() throws {
        let scratch = try ScratchFolder()
        let path = try FixtureFile.scaledBigEndian.write(named: "scaled.nii.gz", in: scratch, gzip: true)
        let summary = try ImageSummary(file: path)
        // Values 0.5 x raw + 1: -1, 1, 2, ..., 11; their sum -1 + 66 = 65, their mean 65 / 12.
        #expect(summary.text == """
            file        \(path)
            format      NIfTI-1, big-endian, gzip
            dims        3 x 2 x 2 (12 voxels)
            datatype    int16
            voxel size  1.5 x 1.5 x 1.5
            scaling     value = 0.5 x raw + 1
            affine      from the sform (sform_code 4, qform_code 0)
                   1.5000     0.0000     0.0000   -90.0000
                   0.0000     1.5000     0.0000  -126.0000
                   0.0000     0.0000     1.5000   -72.0000
            values      min -1, max 11, mean \(65.0 / 12), sum 65
            NaN voxels  0
            """)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(summary.json.rendered().utf8)) as? [String: Any])
        #expect(json["dims"] as? [Int] == [3, 2, 2] && json["byte_order"] as? String == "big" && json["compressed"] as? Bool == true)
        #expect(json["sum"] as? Double == 65 && json["mean"] as? Double == 65.0 / 12 && json["voxel_count"] as? Int == 12)
    }

    @Test func outOfRangeMasksAreRefusedWithTheHintToClamp() throws {
        // Keep 0.5 everywhere but one voxel, 1.5.
        let values = (0..<StudyFixture.shape.reduce(1, *)).map { $0 == 7 ? Float(1.5) : 0.5 }
        let scratch = try ScratchFolder()
        let path = try scratch.write(Mask(fold: 0, run: 0, lambda1: 0.1, values: values).fileBytes, named: "high.nii.gz")
        let mask = try NIfTIImage(contentsOf: path)
        let atlas = try Atlas.aal2()
        do {
            _ = try MaskDensities.measure(mask, atlas: atlas, semantics: .keep, clamp: false)
            Issue.record("a value of 1.5 was measured")
        } catch let error as StudyError {
            #expect(error.description == "\(path): 1 voxel is outside [0, 1] (value 1.5); a mask must hold numbers in [0, 1] (or pass --clamp to clamp them)")
        }
        // Clamped, the voxel keeps 1: every other voxel is perturbed 0.5, so no density exceeds it.
        let clamped = try MaskDensities.measure(mask, atlas: atlas, semantics: .keep, clamp: true)
        #expect(clamped.regions.count == 120 && clamped.densities.allSatisfy { $0 == nil || ($0! >= 0 && $0! <= 0.5) })
        #expect(clamped.densities.contains { $0 == 0.5 })
    }
}
