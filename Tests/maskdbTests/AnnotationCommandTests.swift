import Analysis
import Foundation
import Testing

/// Settings and annotations as a lab writes them: bookkeeping columns change no result,
/// a setting of the lab's own splits pairs and is named when it leaves none, and a
/// misspelt column is refused rather than kept as something else.
struct AnnotationCommandTests {
    let commands: StoreCommandTests
    var folder: URL { commands.folder }

    init() throws {
        commands = try StoreCommandTests()
    }

    /// The 8-mask study's manifest with `columns` added, each row's cells from `cells(row)` (row 0 is the first mask).
    func manifest(named name: String, adding columns: [String], _ cells: (Int) -> [String]) throws -> String {
        let lines = try String(contentsOfFile: try commands.study(), encoding: .utf8).split(separator: "\n")
        let header: [String] = [String(lines[0])] + columns
        let rows: [String] = lines.dropFirst().enumerated().map { ([String($1)] + cells($0)).joined(separator: "\t") }
        let text: String = ([header.joined(separator: "\t")] + rows).joined(separator: "\n") + "\n"
        let url = folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// What every analysis prints, on stdout.
    static let analyses = [
        ["similarity", "--by", "lambda1", "--counts"], ["robustness"], ["grid", "--counts"], ["top-rois"],
        ["top-rois", "--by", "lambda1", "--merge-hemispheres"],
    ]

    @Test func threeBookkeepingColumnsChangeNoTable() throws {
        let plain = folder.appendingPathComponent("plain.sqlite").path
        let annotated = folder.appendingPathComponent("annotated.sqlite").path
        #expect(try CLI.run("import", "masks", try commands.study(), "--db", plain).status == 0)
        let bookkept = try manifest(named: "bookkept.tsv", adding: ["slurm_job", "date", "git_sha"]) { row in
            ["\(48_213 + row)", "2026-11-\(10 + row % 3)", row < 4 ? "3f2a9c1" : "77b0e4d"]
        }
        let imported = try CLI.run("import", "masks", bookkept, "--db", annotated)
        #expect(imported.status == 0 && imported.stdout.contains("8 added"), "\(imported.stderr)")
        for analysis in Self.analyses {
            let expected = try CLI.run(analysis + ["--db", plain])
            let result = try CLI.run(analysis + ["--db", annotated])
            #expect(result.status == 0 && result.stdout == expected.stdout, "\(analysis)")
            // Nothing is mixed unseen: the pooled annotations are named (before what else there is to say).
            #expect(result.stderr == """
                maskdb: note: pooled over annotation.date (3 values)
                maskdb: note: pooled over annotation.git_sha (2 values)
                maskdb: note: pooled over annotation.slurm_job (8 values)

                """ + expected.stderr, "\(analysis)")
            let noEvaluations = "maskdb: note: prob_cnn: the selected masks have no evaluations (maskdb import evaluations records them)\n"
            let intervals = "maskdb: note: \(IntervalOptions().description)\n"
            // top-rois says how its mean densities' intervals are computed.
            let densityIntervals = "maskdb: note: \(MaskMeanBootstrap.description(IntervalOptions()))\n"
            let said = analysis == ["robustness"] ? intervals + noEvaluations : analysis.first == "top-rois" ? densityIntervals : ""
            #expect(expected.stderr == said, "\(analysis): \(expected.stderr)")
        }
        // The similarity has its 4 pairs, not "–".
        let similarity = try CLI.run("similarity", "--by", "lambda1", "--counts", "--db", annotated, "--format", "csv").stdout
        #expect(similarity.contains(",4"), "\(similarity)")
        // Annotations are shown as written and filterable.
        let masks = try CLI.run("masks", "--db", annotated, "--where", "annotation.slurm_job = 48213", "--format", "csv")
        #expect(masks.stdout.split(separator: "\n").count == 2)
        #expect(masks.stdout.contains("\"{\"\"date\"\":\"\"2026-11-10\"\",\"\"git_sha\"\":\"\"3f2a9c1\"\",\"\"slurm_job\"\":\"\"48213\"\"}\""), "\(masks.stdout)")
        let slip = try CLI.run("masks", "--db", annotated, "--where", "annotation.slurm_jobs = 1")
        #expect(slip.status == 2)
        #expect(slip.stderr.hasPrefix(
            "maskdb: error: --where: no recorded mask has the annotation annotation.slurm_jobs; did you mean annotation.slurm_job? they have annotation.date, annotation.git_sha, annotation.slurm_job\n"))
        // Re-importing is harmless; the same file and settings with another annotation changes nothing, and says so.
        #expect(try CLI.run("import", "masks", bookkept, "--db", annotated).stdout.contains("8 already recorded"))
        let retried = try manifest(named: "retried.tsv", adding: ["slurm_job", "date", "git_sha"]) { row in
            ["\(row == 0 ? 50_000 : 48_213 + row)", "2026-11-\(10 + row % 3)", row < 4 ? "3f2a9c1" : "77b0e4d"]
        }
        let conflict = try CLI.run("import", "masks", retried, "--db", annotated)
        #expect(conflict.status == 1)
        #expect(conflict.stderr.contains(
            "row 2: f0r0l0.nii.gz: recorded already with other annotations (annotation.slurm_job '48213' → '50000'); nothing changed (--replace amends them)"),
            "\(conflict.stderr)")
        #expect(try CLI.run("masks", "--db", annotated, "--where", "annotation.slurm_job = 50000").stdout.split(separator: "\n").count == 1)
        // --replace amends the annotation in place, the audit keeping the old one.
        let replaced = try CLI.run("import", "masks", retried, "--db", annotated, "--replace")
        #expect(replaced.status == 0, "\(replaced.stderr)")
        #expect(try CLI.run("masks", "--db", annotated, "--where", "annotation.slurm_job = 50000").stdout.split(separator: "\n").count == 2)
        #expect(try CLI.run("masks", "--db", annotated).stdout.split(separator: "\n").count == 9)
        let audit = try CLI.run("audit", folder.appendingPathComponent("f0r0l0.nii.gz").path, "--db", annotated).stdout
        #expect(audit.contains("annotation.slurm_job 48213 → 50000"), "\(audit)")
    }

    @Test func aSettingOfTheLabsOwnSplitsPairsAndIsNamedWhenItLeavesNone() throws {
        let db = commands.db
        // A seed per mask: no two masks agree on it, so nothing pairs.
        let seeded = try manifest(named: "seeded.tsv", adding: ["setting.seed", "slurm_job"]) { row in ["\(row)", "\(900 + row)"] }
        #expect(try CLI.run("import", "masks", seeded, "--db", db).status == 0)
        let similarity = try CLI.run("similarity", "--by", "lambda1", "--counts", "--db", db, "--format", "csv")
        #expect(similarity.status == 0)
        #expect(similarity.stdout == "lambda1,0.01,0.1,pairs 0.01,pairs 0.1\n0.01,1,,0,0\n0.1,,1,0,0\n", "\(similarity.stdout)")
        #expect(similarity.stderr == """
            maskdb: note: pooled over annotation.slurm_job (8 values)
            maskdb: note: λ1 0.01 vs 0.1: 0 pairs: the masks differ in params.seed (--ignore params.seed pools over it)

            """)
        let robustness = try CLI.run("robustness", "--db", db)
        #expect(robustness.stderr.contains(
            "maskdb: note: roi_cosine inter-runs: 0 pairs: the masks differ in params.seed (--ignore params.seed pools over it)\n"))
        #expect(robustness.stderr.hasSuffix("maskdb: note: prob_cnn: the selected masks have no evaluations (maskdb import evaluations records them)\n"))
        // Pooling over the seed gives the tables of a study without it, and says so.
        let plain = folder.appendingPathComponent("plain.sqlite").path
        #expect(try CLI.run("import", "masks", try commands.study(), "--db", plain).status == 0)
        let ignored = try CLI.run("similarity", "--by", "lambda1", "--counts", "--ignore", "params.seed", "--db", db)
        #expect(ignored.stdout == (try CLI.run("similarity", "--by", "lambda1", "--counts", "--db", plain)).stdout)
        #expect(ignored.stderr == "maskdb: note: pooled over annotation.slurm_job (8 values)\nmaskdb: note: pooled over params.seed (8 values)\n")
        // Matching an annotation splits pairs by it, and the note names it.
        let matched = try CLI.run("similarity", "--by", "lambda1", "--ignore", "setting.seed", "--match", "annotation.slurm_job", "--db", db)
        #expect(matched.stderr.contains("λ1 0.01 vs 0.1: 0 pairs: the masks differ in annotation.slurm_job\n"), "\(matched.stderr)")
        // The report says the same, and states a changed rule.
        let out = folder.appendingPathComponent("report").path
        #expect(try CLI.run("report", "--db", db, "--out", out).status == 0)
        let markdown = try String(contentsOfFile: out + "/report.md", encoding: .utf8)
        #expect(markdown.contains("""
            - pooled over annotation.slurm_job (8 values)
            - λ1 0.01 vs 0.1: 0 pairs: the masks differ in params.seed (--ignore params.seed pools over it)

            """), "\(markdown)")
        let pooled = folder.appendingPathComponent("pooled").path
        #expect(try CLI.run("report", "--db", db, "--out", pooled, "--ignore", "params.seed").status == 0)
        let pooledMarkdown = try String(contentsOfFile: pooled + "/report.md", encoding: .utf8)
        #expect(pooledMarkdown.contains(
            "- mask pairs agree on the model and every setting but the one compared (annotations aside); pairs may differ in params.seed (--match/--ignore)\n"))
        #expect(pooledMarkdown.contains("- pooled over params.seed (8 values)\n") && !pooledMarkdown.contains("0 pairs"))
        // The options are checked.
        let misspelt = try CLI.run("similarity", "--by", "lambda1", "--ignore", "params.sed", "--db", db)
        #expect(misspelt.status == 1)
        #expect(misspelt.stderr == "maskdb: error: '--ignore params.sed': no selected mask has this parameter; did you mean params.seed? they have params.seed\n")
        let compared = try CLI.run("similarity", "--by", "lambda1", "--ignore", "lambda1", "--db", db)
        #expect(compared.status == 2 && compared.stderr.contains("'--ignore lambda1': lambda1 is the field compared"))
        let both = try CLI.run("robustness", "--match", "annotation.slurm_job", "--ignore", "annotation.slurm_job", "--db", db)
        #expect(both.status == 2 && both.stderr.contains("contradict each other"))
    }

    @Test(arguments: [("semantic", "semantics"), ("beta_1", "beta1"), ("subjets", "subjects"), ("Model", "model")])
    func aMisspeltColumnIsRefusedWithASuggestion(column: String, meant: String) throws {
        let db = commands.db
        let slipped = try manifest(named: "slip.tsv", adding: [column]) { _ in ["perturb"] }
        let result = try CLI.run("import", "masks", slipped, "--db", db)
        #expect(result.status == 1)
        #expect(result.stderr == """
            maskdb: error: \(slipped): unknown column '\(column)'; did you mean '\(meant)'? \
            (to keep it as an annotation, name the column 'annotation.\(column)')

            """)
        #expect(!FileManager.default.fileExists(atPath: db))
        // Said to be meant, it is an annotation.
        let meantAsAnnotation = try manifest(named: "meant.tsv", adding: ["annotation.\(column)"]) { _ in ["perturb"] }
        #expect(try CLI.run("import", "masks", meantAsAnnotation, "--db", db).status == 0)
        let masks = try CLI.run("masks", "--db", db, "--where", "annotation.\(column) = perturb", "--format", "tsv").stdout
        #expect(masks.split(separator: "\n").count == 9 && masks.contains("\tkeep\t"))
    }

    @Test(arguments: ["setting.", "params.", "annotation."])
    func aPrefixWithoutANameIsRefused(column: String) throws {
        let bare = try manifest(named: "bare.tsv", adding: [column]) { _ in ["x"] }
        let result = try CLI.run("import", "masks", bare, "--db", commands.db)
        #expect(result.status == 1)
        #expect(result.stderr == "maskdb: error: \(bare): column '\(column)' names nothing after its prefix; write \(column)NAME\n")
        #expect(!FileManager.default.fileExists(atPath: commands.db))
    }

    @Test func aMisspeltRequiredColumnIsPointedAt() throws {
        let lines = try String(contentsOfFile: try commands.study(), encoding: .utf8)
        let url = folder.appendingPathComponent("lamda.tsv")
        try Data(lines.replacingOccurrences(of: "\tlambda1\t", with: "\tlamda1\t").utf8).write(to: url)
        let result = try CLI.run("import", "masks", url.path, "--db", commands.db)
        // Without a semantics or kind column every row is a mask, so λ1 is a required column.
        #expect(result.stderr == """
            maskdb: error: \(url.path): missing required column lambda1; 'lamda1' looks like a misspelling of lambda1; \
            the header has path, fold, run, lamda1, lambda2, subjects

            """)
    }

    @Test func evaluationAndModelManifestsRefuseColumnsTheyDoNotRead() throws {
        let db = commands.db
        #expect(try CLI.run("import", "masks", try commands.study(), "--db", db).status == 0)
        let evaluations = folder.appendingPathComponent("evaluations.tsv")
        try Data("mask\tfold\trun\tprobability\ttrue_lable\n1\t0\t1\t0.25\tAD\n".utf8).write(to: evaluations)
        let result = try CLI.run("import", "evaluations", evaluations.path, "--db", db)
        #expect(result.status == 1)
        #expect(result.stderr == """
            maskdb: error: \(evaluations.path): unknown column 'true_lable'; did you mean 'true_label'? \
            evaluation manifests take mask, fold, run, probability, study, model, subjects, true_label, n

            """)
        let models = folder.appendingPathComponent("models.tsv")
        try Data("fold\trun\tarchitecure\n0\t0\tConv5_FC3\n".utf8).write(to: models)
        let model = try CLI.run("import", "models", models.path, "--db", db)
        #expect(model.status == 1 && model.stderr.contains("unknown column 'architecure'; did you mean 'architecture'?"), "\(model.stderr)")
    }

    @Test func settingCellsAreKeptAsWrittenAndCompareAsTyped() throws {
        let db = commands.db
        // One file, five subject ids that a number conversion would merge or round.
        let ids = ["007", "7", "7.0", "1701443000123456789", "1701443000123456790"]
        let lines = try String(contentsOfFile: try commands.study(), encoding: .utf8).split(separator: "\n")
        let url = folder.appendingPathComponent("ids.tsv")
        try Data(([lines[0] + "\tsetting.subject_id"] + ids.map { lines[1] + "\t" + $0 }).joined(separator: "\n").utf8).write(to: url)
        let imported = try CLI.run("import", "masks", url.path, "--db", db)
        #expect(imported.stdout.contains("5 added"), "\(imported.stdout)")
        func count(_ expression: String) throws -> Int {
            try CLI.run("masks", "--db", db, "--where", expression, "--format", "csv").stdout.split(separator: "\n").count - 1
        }
        #expect(try count("params.subject_id = '007'") == 1)
        #expect(try count("params.subject_id = 7") == 3)  // as numbers, 007, 7 and 7.0 are equal
        #expect(try count("params.subject_id > 1e18") == 2)
        #expect(try count("params.subject_id = '1701443000123456790'") == 1)
        let shown = try CLI.run("masks", "--db", db, "--format", "tsv").stdout
        for id in ids { #expect(shown.contains("{\"subject_id\":\"\(id)\"}"), "\(id)") }
        #expect(try CLI.run("import", "masks", url.path, "--db", db).stdout.contains("5 already recorded"))
    }
}
