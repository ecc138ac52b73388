import Foundation
import NIfTI
import Store
import Testing

/// Corrections run as a user runs them: `rm`, `import --replace`, `--dry-run`, `gc` and the
/// history `audit` prints, on a 2-fold x 2-run study of 8 small masks.
struct CorrectionCommandTests {
    let commands: StoreCommandTests
    var folder: URL { commands.folder }
    var db: String { commands.db }

    init() throws {
        commands = try StoreCommandTests()
    }

    /// The 8-mask study of `StoreCommandTests.study`, its manifest named `name`; `lambda1`
    /// overrides a file's λ1 (a typo).
    @discardableResult
    func study(_ name: String = "masks.tsv", lambda1 overrides: [String: String] = [:]) throws -> String {
        try commands.study(named: name, lambda1: overrides)
    }

    /// Evaluations of masks 1 and 2 (fold 0 run 0) by fold 1 run 0 and of masks 7 and 8 (fold 1
    /// run 1) by fold 0 runs 0 and 1, probability `p` for the first.
    func evaluations(_ name: String = "evaluations.tsv", first p: String = "0.3") throws -> String {
        try write(name, [
            "mask\tfold\trun\tprobability", "1\t1\t0\t\(p)", "2\t1\t0\t0.4", "7\t0\t0\t0.2", "8\t0\t1\t0.1",
        ])
    }

    func write(_ name: String, _ lines: [String]) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
        return url.path
    }

    /// The database file's sha256, nil when there is no file.
    func databaseSHA256() throws -> String? {
        guard FileManager.default.fileExists(atPath: db) else { return nil }
        return SHA256Digest.hex(try FileBytes.read(db))
    }

    func sql(_ query: String) throws -> String {
        let result = try CLI.run("sql", query, "--db", db, "--format", "csv")
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout
    }

    func verifies() throws -> Bool {
        let result = try CLI.run("verify", "--db", db)
        return result.status == 0 && result.stderr.isEmpty
    }

    /// Every table a study reads, without the ids and times a removal and re-import change.
    func everyTable() throws -> [String] {
        [
            try sql("SELECT sha256, study, fold, run, model, lambda1, lambda2, beta1, beta2, subjects, semantics, params, atlas, source FROM mask_settings ORDER BY sha256, lambda1"),
            try sql("SELECT masks.nifti_sha256, d.atlas_id, d.label, d.density, d.voxels FROM mask_densities AS d JOIN masks ON masks.id = d.mask_id ORDER BY 1, 2, 3"),
            try sql("SELECT mask_sha256, evaluator_fold, evaluator_run, probability, n FROM evaluation_settings ORDER BY 1, 2, 3"),
            try sql("SELECT count(*) AS blobs, sum(size) AS bytes FROM blobs"),
            try CLI.run("masks", "--db", db, "--format", "csv").stdout,
            try CLI.run("evaluations", "--db", db, "--format", "csv").stdout,
            try CLI.run("similarity", "--by", "lambda1", "--db", db, "--format", "csv").stdout,
            try CLI.run("robustness", "--db", db, "--format", "csv").stdout,
            try CLI.run("top-rois", "--db", db, "--format", "csv").stdout,
        ]
    }

    @Test func removeThenReimportGivesBackEveryTable() throws {
        let masks = try study()
        #expect(try CLI.run("import", "masks", masks, "--db", db).status == 0)
        let evaluations = try evaluations()
        #expect(try CLI.run("import", "evaluations", evaluations, "--db", db).status == 0)
        let before = try everyTable()
        #expect(try verifies())

        // The last two masks, and the evaluations of them, which are the last two: a re-import
        // gives them their ids back, so every table reads as before, ids and sums included.
        let (seventh, eighth) = (try sha(7), try sha(8))
        let removed = try CLI.run("rm", "--where", "fold = 1 and run = 1", "--db", db)
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(removed.stdout == """
            removed mask 7 (sha256 \(seventh.prefix(12)), study default, fold 1, run 1, λ1 0.1, λ2 0.001, subjects AD, semantics keep, atlas aal2): 120 densities, 1 evaluation
            removed mask 8 (sha256 \(eighth.prefix(12)), study default, fold 1, run 1, λ1 0.01, λ2 0.001, subjects AD, semantics keep, atlas aal2): 120 densities, 1 evaluation
            \(db): 2 masks removed, with 240 densities and 2 evaluations; the audit log keeps them (maskdb audit), their files stay stored until maskdb gc

            """, "\(removed.stdout)")
        #expect(try sql("SELECT count(*) AS masks, (SELECT count(*) FROM mask_densities) AS densities, (SELECT count(*) FROM evaluations) AS evaluations FROM masks")
            == "masks,densities,evaluations\n6,720,2\n")
        #expect(try verifies())

        let reimported = try CLI.run("import", "masks", masks, "--db", db)
        #expect(reimported.stdout == "\(masks): 8 masks: 2 added, 6 already recorded, 0 rejected (\(db), study default)\n")
        #expect(try CLI.run("import", "evaluations", evaluations, "--db", db).stdout.contains(": 4 evaluations: 2 added, 2 already recorded, 0 rejected"))
        let after = try everyTable()
        for (a, b) in zip(after, before) { #expect(a == b, "\(a)\n----\n\(b)") }
        #expect(try verifies())

        // The file's whole life: imported, removed (with its evaluation), imported again.
        let audit = try CLI.run("audit", folder.appendingPathComponent("f1r1l0.nii.gz").path, "--db", db)
        #expect(audit.status == 0)
        let history = audit.stdout.components(separatedBy: "history\n").last!.split(separator: "\n").map { line in
            // Without the time, which varies.
            line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)[1].trimmingCharacters(in: .whitespaces)
        }
        let rm = "maskdb rm --where 'fold = 1 and run = 1' --db \(db)"
        #expect(history == [
            "imported from \(masks) line 8  (maskdb import masks \(masks) --db \(db))",
            "removed evaluation 3 of mask 7 by fold 0 run 0 (probability 0.2)  (\(rm))",
            "removed mask 7 (sha256 \(seventh.prefix(12)), study default, fold 1, run 1, λ1 0.1, λ2 0.001, subjects AD, semantics keep, atlas aal2)  (\(rm))",
            "imported from \(masks) line 8  (maskdb import masks \(masks) --db \(db))",
        ], "\(history)")
    }

    /// The sha256 of mask `id`.
    func sha(_ id: Int) throws -> String {
        try sql("SELECT sha256 FROM mask_settings WHERE id = \(id)").split(separator: "\n").last.map(String.init) ?? "?"
    }

    @Test func replaceCorrectsALambdaTypoInPlace() throws {
        let typo = try study(lambda1: ["f0r1l0.nii.gz": "1.0"])
        #expect(try CLI.run("import", "masks", typo, "--db", db).status == 0)
        let typoed = try sql("SELECT id, lambda1 FROM mask_settings WHERE source LIKE '%f0r1l0.nii.gz'")
        #expect(typoed == "id,lambda1\n3,1\n", "\(typoed)")
        let fixed = try study("fixed.tsv")
        let replaced = try CLI.run("import", "masks", fixed, "--replace", "--db", db)
        #expect(replaced.status == 0, "\(replaced.stderr)")
        #expect(replaced.stdout == """
            \(fixed): 8 masks: 0 added, 1 replaced, 7 already recorded, 0 rejected (\(db), study default)
              row 4: f0r1l0.nii.gz: replaced mask 3: λ1 1 → 0.1

            """)
        // One record, the same id, the new λ1; the others as they were.
        #expect(try sql("SELECT id, lambda1 FROM mask_settings WHERE sha256 = '\(try sha(3))'") == "id,lambda1\n3,0.1\n")
        #expect(try sql("SELECT count(*) AS n FROM masks") == "n\n8\n")
        #expect(try verifies())
        // Again: nothing left to replace.
        #expect(try CLI.run("import", "masks", fixed, "--replace", "--db", db).stdout.hasPrefix("\(fixed): 8 masks: 0 added, 0 replaced, 8 already recorded, 0 rejected"))

        let audit = try CLI.run("audit", "3", "--db", db).stdout
        #expect(audit.hasPrefix("mask 3  sha256 \(try sha(3))"))
        #expect(audit.contains("  λ1 0.1, λ2 0.001, β1 -, β2 -\n"))
        #expect(audit.contains("  amended mask 3: λ1 1 → 0.1  (maskdb import masks \(fixed) --replace --db \(db))\n"))
        let history = try sql("SELECT record_kind, record_id, action, json_extract(previous, '$.lambda1') AS lambda1, json_extract(previous, '$.fold') AS fold, json_extract(previous, '$.source') AS source FROM record_history")
        #expect(history == "record_kind,record_id,action,lambda1,fold,source\nmask,3,amended,1,0,\(folder.appendingPathComponent("f0r1l0.nii.gz").path)\n", "\(history)")
    }

    @Test func aChangedProbabilityNeedsReplace() throws {
        #expect(try CLI.run("import", "masks", try study(), "--db", db).status == 0)
        #expect(try CLI.run("import", "evaluations", try evaluations(), "--db", db).status == 0)
        let changed = try evaluations("changed.tsv", first: "0.25")
        let refused = try CLI.run("import", "evaluations", changed, "--db", db)
        #expect(refused.status == 1)
        #expect(refused.stderr == "row 2: 1: already recorded for this mask and model with probability 0.3; pass --replace to overwrite it (probability 0.3 → 0.25)\n")
        #expect(try sql("SELECT probability FROM evaluations WHERE mask_id = 1") == "probability\n0.3\n")

        let replaced = try CLI.run("import", "evaluations", changed, "--replace", "--db", db)
        #expect(replaced.status == 0, "\(replaced.stderr)")
        #expect(replaced.stdout == """
            \(changed): 4 evaluations: 0 added, 1 replaced, 3 already recorded, 0 rejected (\(db), study default)
              row 2: 1: replaced evaluation of mask 1 by fold 1 run 0: probability 0.3 → 0.25

            """)
        #expect(try sql("SELECT id, probability FROM evaluations WHERE mask_id = 1") == "id,probability\n1,0.25\n")
        #expect(try CLI.run("audit", "1", "--db", db).stdout.contains(
            "  amended evaluation 1 of mask 1 by fold 1 run 0: probability 0.3 → 0.25  (maskdb import evaluations \(changed) --replace --db \(db))\n"))
    }

    @Test func dryRunsChangeNothing() throws {
        let masks = try study()
        // On a new path: what would be added, and no database made.
        let fresh = try CLI.run("import", "masks", masks, "--dry-run", "--db", db)
        #expect(fresh.status == 0, "\(fresh.stderr)")
        let files = (0..<2).flatMap { fold in (0..<2).flatMap { run in (0..<2).map { "f\(fold)r\(run)l\($0).nii.gz" } } }
        #expect(fresh.stdout == (
            ["dry run: \(masks): 8 masks: 8 added, 0 already recorded, 0 rejected (\(db), study default)"]
                + files.enumerated().map { "  row \($0.offset + 2): \($0.element): would add" }
                + ["dry run: nothing was written to \(db)"]).joined(separator: "\n") + "\n")
        #expect(!FileManager.default.fileExists(atPath: db))

        #expect(try CLI.run("import", "masks", masks, "--db", db).status == 0)
        #expect(try CLI.run("import", "evaluations", try evaluations(), "--db", db).status == 0)
        let recorded = try databaseSHA256()

        let typo = try study("typo.tsv", lambda1: ["f1r1l1.nii.gz": "0.5"])
        let replace = try CLI.run("import", "masks", typo, "--replace", "--dry-run", "--db", db)
        #expect(replace.stdout == """
            dry run: \(typo): 8 masks: 0 added, 1 replaced, 7 already recorded, 0 rejected (\(db), study default)
              row 9: f1r1l1.nii.gz: would replace mask 8: λ1 0.01 → 0.5
            dry run: nothing was written to \(db)

            """)
        #expect(try databaseSHA256() == recorded)

        let probability = try CLI.run("import", "evaluations", try evaluations("p.tsv", first: "0.9"), "--replace", "--dry-run", "--db", db)
        #expect(probability.status == 0 && probability.stdout.contains("0 added, 1 replaced, 3 already recorded, 0 rejected"), "\(probability.stdout)")
        #expect(probability.stdout.contains("  row 2: 1: would replace evaluation of mask 1 by fold 1 run 0: probability 0.3 → 0.9\n"))
        let models = try write("models.tsv", ["fold\trun\tarchitecture\tmetric.test.accuracy", "0\t0\tconv5\t0.8", "2\t0\tconv5\t0.7"])
        let newModels = try CLI.run("import", "models", models, "--dry-run", "--db", db)
        #expect(newModels.stdout.hasPrefix("dry run: \(models): 2 models: 2 added, 0 already recorded, 0 rejected"))
        #expect(try databaseSHA256() == recorded)

        let rm = try CLI.run("rm", "1", "--dry-run", "--db", db)
        #expect(rm.status == 0)
        #expect(rm.stdout == """
            would remove mask 1 (sha256 \(try sha(1).prefix(12)), study default, fold 0, run 0, λ1 0.1, λ2 0.001, subjects AD, semantics keep, atlas aal2): 120 densities, 1 evaluation
            dry run: \(db): 1 mask would be removed, with 120 densities and 1 evaluation; nothing was written

            """)
        #expect(try CLI.run("rm", "--models", "--where", "fold = 2", "--dry-run", "--db", db).status == 1)  // no such model
        #expect(try CLI.run("gc", "--dry-run", "--db", db).status == 0)
        #expect(try databaseSHA256() == recorded)
        #expect(try CLI.run("audit", "8", "--db", db).stdout.contains("amended") == false)
        #expect(try verifies())
    }

    @Test func gcFreesAFileOnlyAfterItsLastRecordIsRemoved() throws {
        #expect(try CLI.run("import", "masks", try study(), "--db", db).status == 0)
        // The first file recorded a second time, for another model: two records, one blob.
        let again = try write("again.tsv", ["path\tfold\trun\tlambda1\tlambda2", "f0r0l0.nii.gz\t1\t1\t0.5\t0.001"])
        #expect(try CLI.run("import", "masks", again, "--db", db).stdout.contains("1 added"))
        let file = try sha(1)
        let size = try sql("SELECT size FROM blobs WHERE sha256 = '\(file)'").split(separator: "\n")[1]
        let blobs = try sql("SELECT count(*) AS n FROM blobs")

        #expect(try CLI.run("gc", "--db", db).stdout == "\(db): every stored file is referred to; nothing to delete\n")
        #expect(try CLI.run("rm", "1", "--db", db).status == 0)
        #expect(try CLI.run("gc", "--db", db).stdout == "\(db): every stored file is referred to; nothing to delete\n")  // mask 9 has it
        #expect(try sql("SELECT count(*) AS n FROM blobs") == blobs)
        #expect(try CLI.run("rm", "9", "--db", db).status == 0)
        let dry = try CLI.run("gc", "--dry-run", "--db", db)
        #expect(dry.stdout == """
            would delete file sha256 \(file) (\(size) bytes)
            dry run: \(db): 1 unreferenced file (\(size) bytes) would be deleted; nothing was written

            """)
        let collected = try CLI.run("gc", "--db", db)
        #expect(collected.stdout == """
            deleted file sha256 \(file) (\(size) bytes)
            \(db): 1 unreferenced file (\(size) bytes) deleted; the file shrinks by them when compacted (maskdb gc --vacuum)

            """)
        #expect(try sql("SELECT count(*) AS n FROM blobs WHERE sha256 = '\(file)'") == "n\n0\n")
        #expect(try verifies())
        // Every other file is still there, whole, and what is left still exports.
        #expect(try CLI.run("export", "2", "-o", commands.scratch.path("out.nii.gz"), "--db", db).status == 0)
        #expect(try CLI.run("gc", "--vacuum", "--db", db).stdout == "\(db): every stored file is referred to; nothing to delete\n")
        #expect(try verifies())
        let audit = try CLI.run("audit", file, "--db", db)
        #expect(audit.status == 0)
        #expect(audit.stdout.hasSuffix("  deleted its stored file (\(size) bytes)  (maskdb gc --db \(db))\n"))
    }

    @Test func removingWhatIsNotThereIsRefusedAndChangesNothing() throws {
        #expect(try CLI.run("import", "masks", try study(), "--db", db).status == 0)
        let recorded = try databaseSHA256()
        let missing = try CLI.run("rm", "99999", "--db", db)
        #expect(missing.status == 1)
        #expect(missing.stdout.isEmpty)
        #expect(missing.stderr == "maskdb: error: 99999: not recorded in this database\n")
        let nothing = try CLI.run("rm", "--where", "fold = 9", "--db", db)
        #expect(nothing.status == 1)
        #expect(nothing.stderr == "maskdb: error: --where \"fold = 9\": matches no recorded mask; nothing was removed\n")
        let both = try CLI.run("rm", "1", "--where", "fold = 1", "--db", db)  // mask 1 is fold 0
        #expect(both.stderr == "maskdb: error: 1 --where \"fold = 1\": matches no recorded mask; nothing was removed\n")
        let unnamed = try CLI.run("rm", "--db", db)
        #expect(unnamed.status == 2)
        #expect(unnamed.stderr.hasPrefix("maskdb: error: name the masks to remove: mask ids, sha256 (prefixes) or files, or --where EXPR (rm never removes everything unasked)\n"))
        let empty = try CLI.run("rm", "--where", " ", "--db", db)
        #expect(empty.status == 2 && empty.stderr.hasPrefix("maskdb: error: --where is empty;"))
        let used = try CLI.run("rm", "--models", "--where", "fold = 0 and run = 0", "--db", db)
        #expect(used.status == 1)
        #expect(used.stderr == "maskdb: error: model 1 (study default, fold 0, run 0): cannot be removed: 2 recorded masks were optimized for it; remove them first\n")
        #expect(try databaseSHA256() == recorded)
        // Once its masks are gone, the model goes too.
        #expect(try CLI.run("rm", "--where", "fold = 0 and run = 0", "--db", db).status == 0)
        let model = try CLI.run("rm", "--models", "--where", "fold = 0 and run = 0", "--db", db)
        #expect(model.stdout == "removed model 1 (study default, fold 0, run 0): 0 metrics\n\(db): 1 model removed; the audit log keeps them\n")
        #expect(try sql("SELECT count(*) AS n FROM models") == "n\n3\n")
        #expect(try verifies())
    }
}
