import StudyCore
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import NIfTIFixtures
import Testing

/// The analysis commands on an imported study, checked against numbers computed here
/// from the stored density vectors (`maskdb densities ID`).
struct AnalysisCommandTests {
    let commands: StoreCommandTests
    let db: String

    init() throws {
        commands = try StoreCommandTests()
        db = commands.db
        let imported = try CLI.run("import", "masks", try commands.study(), "--db", db)
        try #require(imported.status == 0, "\(imported.stderr)")
    }

    /// Mask ids with their fold, run and λ1, from `maskdb masks`.
    func masks() throws -> [(id: String, fold: Int, run: Int, lambda1: Double)] {
        try CLI.run("masks", "--db", db, "--format", "csv").stdout.split(separator: "\n").dropFirst().map { line in
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            return (String(cells[0]), Int(cells[3])!, Int(cells[4])!, Double(cells[6])!)
        }
    }

    /// A stored density vector, from `maskdb densities ID --format csv`.
    func vector(_ id: String) throws -> [Double] {
        try CLI.run("densities", id, "--db", db, "--format", "csv").stdout.split(separator: "\n").dropFirst().map { line in
            Double(line.split(separator: ",", omittingEmptySubsequences: false).reversed()[1]) ?? 0
        }
    }

    func cosine(_ a: [Double], _ b: [Double]) -> Double {
        let dot = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
        return dot / (a.reduce(0) { $0 + $1 * $1 }.squareRoot() * b.reduce(0) { $0 + $1 * $1 }.squareRoot())
    }

    @Test func evaluationsAreListedWithTheirMaskAndModels() throws {
        let none = try CLI.run("evaluations", "--db", db, "--format", "csv")
        #expect(none.status == 0 && none.stderr == "maskdb: the database has no evaluations yet; the table is empty\n")
        let masks = try masks()
        let first = try #require(masks.first { $0.fold == 0 && $0.run == 0 })
        let manifest = commands.folder.appendingPathComponent("evaluations.tsv")
        try Data("mask\tfold\trun\tprobability\ttrue_label\tn\n\(first.id)\t0\t1\t0.25\tAD\t40\n".utf8).write(to: manifest)
        #expect(try CLI.run("import", "evaluations", manifest.path, "--db", db).status == 0)
        let listed = try CLI.run("evaluations", "--db", db, "--format", "csv")
        #expect(listed.stdout == """
            mask_id,mask_fold,mask_run,mask_lambda1,mask_lambda2,evaluator_study,evaluator_fold,evaluator_run,evaluator_model,subjects,true_label,probability,n
            \(first.id),0,0,\(first.lambda1 == 0.1 ? "0.1" : "0.01"),0.001,default,0,1,,,AD,0.25,40

            """)
        let sql = try CLI.run("sql", "SELECT mask_id, evaluator_run, probability FROM evaluation_settings", "--db", db, "--format", "csv")
        #expect(sql.stdout == "mask_id,evaluator_run,probability\n\(first.id),1,0.25\n")
        #expect(try CLI.run("evaluations", "--db", db, "--where", "fold = 1").stderr.hasSuffix("the table is empty\n"))
    }

    @Test func similarityByLambda1IsTheMeanCosineOverSameModelPairs() throws {
        let masks = try masks()
        // Each of the 4 models has one mask at λ1 = 0.1 and one at 0.01.
        var cosines: [Double] = []
        for fold in 0..<2 {
            for run in 0..<2 {
                let pair = masks.filter { $0.fold == fold && $0.run == run }
                cosines.append(cosine(try vector(pair[0].id), try vector(pair[1].id)))
            }
        }
        let expected = cosines.reduce(0, +) / 4
        let result = try CLI.run("similarity", "--by", "lambda1", "--counts", "--db", db, "--format", "csv")
        let lines = result.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(lines[0] == ["lambda1", "0.01", "0.1", "pairs 0.01", "pairs 0.1"])
        #expect(lines[1][0] == "0.01" && lines[1][1] == "1" && lines[1][3] == "0" && lines[1][4] == "4")
        #expect(abs(Double(lines[1][2])! - expected) < 1e-12)
        #expect(lines[2][1] == lines[1][2])
    }

    @Test func robustnessPoolsInterRunAndInterFoldPairs() throws {
        let masks = try masks()
        var runs: [Double] = [], folds: [Double] = []
        for a in masks {
            for b in masks where a.id < b.id && a.lambda1 == b.lambda1 {
                let c = cosine(try vector(a.id), try vector(b.id))
                if a.fold == b.fold && a.run != b.run { runs.append(c) }
                if a.run == b.run && a.fold != b.fold { folds.append(c) }
            }
        }
        let result = try CLI.run("robustness", "--db", db, "--format", "csv")
        let lines = result.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(lines[0] == [
            "metric", "inter_runs", "inter_folds", "inter_runs_pairs", "inter_folds_pairs", "inter_runs_lower", "inter_runs_upper",
            "inter_folds_lower", "inter_folds_upper", "difference", "difference_lower", "difference_upper", "p_value",
            "random_pairs", "random_pairs_count",
        ])
        #expect(lines[1] == ["prob_cnn", "", "", "0", "0"] + Array(repeating: "", count: 10))
        // The difference is the two means'; the same seed, the same bytes; another seed, other intervals.
        #expect(abs(Double(lines[2][9])! - (Double(lines[2][1])! - Double(lines[2][2])!)) < 1e-15)
        #expect(try CLI.run("robustness", "--db", db, "--format", "csv").stdout == result.stdout)
        #expect(result.stderr.contains("95% intervals: mean ± t sd"))
        let bad = try CLI.run("robustness", "--db", db, "--ci", "95")
        #expect(bad.status != 0 && bad.stderr.contains("--ci: a level between 0 and 1, e.g. 0.95 (got 95.0)"), "\(bad.stderr)")
        #expect(lines[2][0] == "roi_cosine" && lines[2][3] == "4" && lines[2][4] == "4")
        #expect(abs(Double(lines[2][1])! - runs.reduce(0, +) / Double(runs.count)) < 1e-12)
        #expect(abs(Double(lines[2][2])! - folds.reduce(0, +) / Double(folds.count)) < 1e-12)
    }

    @Test func robustnessByPearsonIsTheMeanOfThePairsPearsons() throws {
        // Over the regions with voxels on the masks' grid (a density's cell is empty without).
        func present(_ id: String) throws -> [Double?] {
            try CLI.run("densities", id, "--db", db, "--format", "csv").stdout.split(separator: "\n").dropFirst().map { line in
                Double(line.split(separator: ",", omittingEmptySubsequences: false).reversed()[1])
            }
        }
        func pearson(_ x: [Double?], _ y: [Double?]) -> Double {
            let pairs = zip(x, y).compactMap { u, v in u.flatMap { u in v.map { (u, $0) } } }
            let (a, b) = (pairs.map(\.0), pairs.map(\.1))
            let (ma, mb) = (a.reduce(0, +) / Double(a.count), b.reduce(0, +) / Double(b.count))
            return cosine(a.map { $0 - ma }, b.map { $0 - mb })
        }
        let masks = try masks()
        var runs: [Double] = [], folds: [Double] = []
        for a in masks {
            for b in masks where a.id < b.id && a.lambda1 == b.lambda1 {
                let r = pearson(try present(a.id), try present(b.id))
                if a.fold == b.fold && a.run != b.run { runs.append(r) }
                if a.run == b.run && a.fold != b.fold { folds.append(r) }
            }
        }
        let result = try CLI.run("robustness", "--metric", "pearson", "--db", db, "--format", "csv")
        let row = result.stdout.split(separator: "\n")[2].split(separator: ",", omittingEmptySubsequences: false)
        #expect(row[0] == "roi_pearson" && row[3] == "4" && row[4] == "4")
        #expect(abs(Double(row[1])! - runs.reduce(0, +) / Double(runs.count)) < 1e-12)
        #expect(abs(Double(row[2])! - folds.reduce(0, +) / Double(folds.count)) < 1e-12)
        #expect(result.stderr.contains("maskdb: note: roi_pearson: Pearson's r of the density vectors, -1 to 1"))
        let jaccard = try CLI.run("robustness", "--metric", "topk-jaccard", "--k", "3", "--db", db, "--format", "csv")
        #expect(jaccard.status == 0 && jaccard.stdout.split(separator: "\n")[2].hasPrefix("topk_jaccard,"))
        // The voxel measures decode the stored files: each pair's Dice is within 0 and 1.
        let dice = try CLI.run("robustness", "--metric", "dice", "--jobs", "2", "--db", db, "--format", "csv")
        let diceRow = dice.stdout.split(separator: "\n")[2].split(separator: ",", omittingEmptySubsequences: false)
        #expect(dice.status == 0 && diceRow[0] == "voxel_dice" && diceRow[3] == "4", "\(dice.stderr)")
        #expect((0...1).contains(Double(diceRow[1])!))
        let threshold = try CLI.run("robustness", "--metric", "dice", "--threshold", "2", "--db", db)
        #expect(threshold.status == 2 && threshold.stderr.contains("--threshold: a perturbation from 0 to 1 (got 2.0)"))
        let prob = try CLI.run("robustness", "--metric", "prob", "--db", db)
        #expect(prob.status == 2 && prob.stderr.contains("robustness always shows prob_cnn"), "\(prob.stderr)")
        let k = try CLI.run("robustness", "--metric", "stability", "--k", "0", "--db", db)
        #expect(k.status == 2 && k.stderr.contains("'--k 0': give at least 1"), "\(k.stderr)")
    }

    @Test func similarityCellsHaveIntervalsWhenAsked() throws {
        let result = try CLI.run("similarity", "--by", "run", "--intervals", "--db", db, "--format", "csv")
        let lines = result.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(lines[0] == ["run", "0", "1", "lower 0", "lower 1", "upper 0", "upper 1"])
        // Cell (0, 1): pairs of two folds' models, the folds resampled: an interval around the mean.
        let (mean, lower, upper) = (Double(lines[1][2])!, Double(lines[1][4])!, Double(lines[1][6])!)
        #expect(lower <= mean && mean <= upper && lines[1][3].isEmpty && lines[2][3] == lines[1][4])
        #expect(try CLI.run("similarity", "--by", "run", "--intervals", "--db", db, "--format", "csv").stdout == result.stdout)

    }

    @Test func topRegionsAndGridHaveTheirColumns() throws {
        let top = try CLI.run("top-rois", "--k", "3", "--merge-hemispheres", "--db", db, "--format", "csv")
        let lines = top.stdout.split(separator: "\n")
        #expect(lines[0] == "group,rank,label,name,in_top_k,masks,mean_density,mean_rank,mean_density_lower,mean_density_upper")
        // Merged pairs have no label; regions without a side (the vermis) keep theirs.
        let rows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        // Each mean density inside its interval, which the seed reproduces and the notes describe.
        for row in rows {
            if let low = Double(row[8]), let high = Double(row[9]), let mean = Double(row[6]) { #expect(low <= mean && mean <= high) }
        }
        #expect(top.stderr.contains("95% intervals of the mean densities: bootstrap over models"))
        let seeded = ["top-rois", "--k", "3", "--merge-hemispheres", "--db", db, "--format", "csv", "--seed", "7", "--resamples", "300"]
        #expect(try CLI.run(seeded).stdout == CLI.run(seeded).stdout)
        let without = try CLI.run("top-rois", "--k", "3", "--merge-hemispheres", "--db", db, "--format", "csv", "--resamples", "0").stdout
        #expect(without.split(separator: "\n").dropFirst().allSatisfy { $0.hasSuffix(",,") })
        #expect(rows.first?[0] == "all" && rows.first?[1] == "1")
        #expect(rows.allSatisfy { $0[2].isEmpty != $0[3].hasPrefix("Vermis") })
        let grid = try CLI.run("grid", "--counts", "--db", db, "--format", "csv")
        #expect(grid.stdout.split(separator: "\n").first == "lambda1,lambda2=0.001,n lambda2=0.001")
        let bad = try CLI.run("similarity", "--by", "lambda3", "--db", db)
        #expect(bad.status == 2 && bad.stderr.contains("use one of lambda1, lambda2"))
        let prob = try CLI.run("similarity", "--by", "lambda1", "--metric", "prob", "--db", db)
        #expect(prob.status == 2 && prob.stderr.contains("use --by run or --by fold"))
    }

    @Test func reportWritesMarkdownAndEveryCSV() throws {
        let out = commands.folder.appendingPathComponent("report").path
        let result = try CLI.run("report", "--db", db, "--out", out)
        #expect(result.status == 0)
        let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(files == [
            "grid.csv", "grid.svg", "measures.csv", "montage.png", "performance.csv", "provenance.csv", "report.md", "robustness.csv",
            "robustness.svg",
            "similarity_lambda1.csv", "similarity_lambda1.svg", "top_regions.csv", "top_regions.svg",
        ])
        let markdown = try String(contentsOfFile: out + "/report.md", encoding: .utf8)
        for file in files where file != "report.md" { #expect(markdown.contains("(`\(file)`)")) }
        let again = commands.folder.appendingPathComponent("again").path
        _ = try CLI.run("report", "--db", db, "--out", again)
        for file in files {
            #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/" + file)) == Data(contentsOf: URL(fileURLWithPath: again + "/" + file)))
        }
    }
}

extension AnalysisCommandTests {
    @Test func plotsWriteTheirFiles() throws {
        let folder = commands.folder
        for (kind, name) in [("grid", "g.svg"), ("similarity", "s.svg"), ("top-rois", "t.svg"), ("robustness", "r.svg"), ("montage", "m.png")] {
            let path = folder.appendingPathComponent(name).path
            let result = try CLI.run("plot", kind, "-o", path, "--db", db)
            #expect(result.status == 0, "\(kind): \(result.stderr)")
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            if name.hasSuffix(".png") {
                #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]))
            } else {
                #expect(String(decoding: bytes, as: UTF8.self).contains("<svg"))
                // Well-formed XML.
                #expect(XMLParser(data: bytes).parse(), "\(kind)")
            }
        }
        // The robustness chart takes robustness's options, and draws the same numbers.
        let chart = folder.appendingPathComponent("r2.svg").path
        let plotted = try CLI.run("plot", "robustness", "-o", chart, "--resamples", "200", "--seed", "4", "--ci", "0.9", "--db", db)
        #expect(plotted.status == 0, "\(plotted.stderr)")
        #expect(plotted.stderr.contains("90% intervals: mean ± t sd"))
        let svg = try String(contentsOfFile: chart, encoding: .utf8)
        let table = try CLI.run("robustness", "--resamples", "200", "--seed", "4", "--ci", "0.9", "--format", "csv", "--db", db).stdout
        let roi = try #require(table.split(separator: "\n").first { $0.hasPrefix("roi_cosine,") }).split(separator: ",", omittingEmptySubsequences: false)
        if let runs = Double(roi[1]) {
            #expect(svg.contains(">\(String(format: "%.3f", runs))"), "the inter-run mean \(runs) is not drawn")
        }
        #expect(svg.contains("200 resamples, seed") && svg.contains("90% intervals"))
        let mask = try masks()[0].id
        let png = folder.appendingPathComponent("mask.png").path
        #expect(try CLI.run("plot", "mask", mask, "-o", png, "--slices", "axial,sagittal", "--at", "5,5,4", "--db", db).status == 0)
        let wrongKind = try CLI.run("plot", "grid", "-o", folder.appendingPathComponent("g.png").path, "--db", db)
        #expect(wrongKind.status == 2 && wrongKind.stderr.contains("written as .svg"))
        let outside = try CLI.run("plot", "mask", mask, "-o", png, "--at", "500,5,4", "--db", db)
        #expect(outside.status == 2 && outside.stderr.contains("the mask's grid is 12 x 10 x 9"))
    }
}

extension AnalysisCommandTests {
    @Test func misspeltParametersAndBadPlotInputsAreRefused() throws {
        let masks = try CLI.run("masks", "--db", db, "--format", "csv").stdout
        #expect(!masks.contains("params.nope"))
        let misspelt = try CLI.run("similarity", "--by", "params.nope", "--db", db)
        #expect(misspelt.status == 1)
        #expect(misspelt.stderr == "maskdb: error: '--by params.nope': no selected mask has this parameter; they have none\n")
        let grid = try CLI.run("grid", "--value", "params.nope", "--db", db)
        #expect(grid.status == 1 && grid.stderr.contains("'--value params.nope': no selected mask has this parameter"))
        let png = commands.folder.appendingPathComponent("m.png").path
        let id = try self.masks()[0].id
        for bad in [["--at", "1,2,foo"], ["--at", "1,2"], ["--at", "1,,2,3"], ["--at", "1,2,3,x"], ["--at", "1,-2,3"], ["--slices", ""], ["--slices", "axial,"]] {
            let result = try CLI.run(["plot", "mask", id, "-o", png, "--db", db] + bad)
            // The option, the value given, and what to give instead.
            let (option, said) = bad[0] == "--at" ? ("--at <x,y,z>", "give three voxel indices, x,y,z") : ("--slices <slices>", "use axial, coronal and sagittal")
            let line = "maskdb: error: The value '\(bad[1])' is invalid for '\(option)': \(said)"
            #expect(result.status == 2 && result.stderr.hasPrefix(line + "\n"), "\(bad): \(result.stderr)")
        }
    }

    @Test func aFilterErrorShowsItsOwnCommandsUsage() throws {
        let result = try CLI.run("plot", "grid", "-o", commands.folder.appendingPathComponent("g.svg").path, "--where", "fold = = 1", "--db", db)
        #expect(result.status == 2)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.first == "maskdb: error: --where: missing value after '=' at position 6; give a number, a word or a quoted string")
        #expect(lines.dropFirst().first?.hasPrefix("Usage: maskdb plot grid ") == true)
    }

    @Test func nothingToShowIsAnErrorNotAnEmptyFigure() throws {
        let none = ["--where", "fold = 9", "--db", db]
        for kind in ["grid", "similarity", "top-rois", "robustness", "montage"] {
            let out = commands.folder.appendingPathComponent(kind == "montage" ? "x.png" : "x.svg").path
            let result = try CLI.run(["plot", kind, "-o", out] + none)
            #expect(result.status == 1 && result.stderr == "maskdb: error: no recorded mask matches --where; nothing to draw\n", "\(kind)")
            #expect(!FileManager.default.fileExists(atPath: out))
        }
        // Masks, but no value to draw: this study has no evaluations, so no prob.
        let out = commands.folder.appendingPathComponent("prob.svg").path
        let prob = try CLI.run("plot", "grid", "--value", "prob", "-o", out, "--db", db)
        #expect(prob.status == 1 && prob.stderr == "maskdb: error: no selected mask has a numeric prob; nothing to draw\n")
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(try CLI.run("init", "--study", "empty", "--db", db).status == 0)
        let reportFolder = commands.folder.appendingPathComponent("r/s").path
        let report = try CLI.run("report", "--study", "empty", "--db", db, "--out", reportFolder)
        #expect(report.status == 1 && report.stderr == "maskdb: error: study 'empty' has no masks yet; import masks first\n")
        #expect(!FileManager.default.fileExists(atPath: commands.folder.appendingPathComponent("r").path))  // nothing created
        let file = commands.folder.appendingPathComponent("a-file").path
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        let underFile = try CLI.run("report", "--study", "empty", "--db", db, "--out", file + "/sub")
        #expect(underFile.status == 1 && underFile.stderr == "maskdb: error: \(file)/sub: \(file) is a file, not a folder; give --out a folder\n")
    }

    @Test func aRecordedMasksVectorIgnoresNoOption() throws {
        let id = try masks()[0].id
        let result = try CLI.run("densities", id, "--semantics", "perturb", "--db", db)
        #expect(result.status == 2 && result.stderr.contains("apply to mask files; a recorded mask's vector is printed as it was stored"))
    }
}

extension AnalysisCommandTests {
    @Test func reportTakesWhereAndMainAndSaysSo() throws {
        let out = commands.folder.appendingPathComponent("fold0").path
        let result = try CLI.run("report", "--where", "fold = 0", "--main", "lambda1=0.1", "--db", db, "--out", out)
        #expect(result.status == 0 && result.stderr.isEmpty, "\(result.stderr)")
        let markdown = try String(contentsOfFile: out + "/report.md", encoding: .utf8)
        // Fold 0's two models, each with a mask at λ1 = 0.1 and one at 0.01.
        #expect(markdown.contains("""
            - selection: the masks matching `--where "fold = 0"`, and their models
            - 2 models over folds 0 and runs 0, 1
            - 4 masks, with λ1 in {0.01, 0.1} and λ2 in {0.001}
            - main setting λ1 = 0.1, λ2 = 0.001, subjects = AD; the top regions and the montage show its masks
              - λ1 given by --main, the rest chosen automatically among its masks: the setting shared by the most models (2 of the 2 models; ties go to the smallest λ2, then β1, β2, subjects)

            """))
        // The provenance: only fold 0's masks, by their names in the manifest; what they share said once.
        let provenance = try String(contentsOfFile: out + "/provenance.csv", encoding: .utf8).split(separator: "\n")
        #expect(provenance.count == 5 && provenance[0] == "id,sha256,study,fold,run,model,lambda1,lambda2,beta1,beta2,subjects,semantics,kind,method,subject,atlas,source")
        #expect(provenance.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).last! } == ["f0r0l0.nii.gz", "f0r0l1.nii.gz", "f0r1l0.nii.gz", "f0r1l1.nii.gz"])
        #expect(markdown.contains("Every mask has study = default, fold = 0, λ2 = 0.001, subjects = AD, semantics = keep, kind = mask, atlas = aal2.\n\n| id | sha256 (prefix) | run | lambda1 | source |\n"))

        // The same --main, joined or repeated, writes the same report.
        let joined = commands.folder.appendingPathComponent("joined").path
        #expect(try CLI.run("report", "--main", "lambda1=0.01 and subjects=AD", "--db", db, "--out", joined).status == 0)
        let repeated = commands.folder.appendingPathComponent("repeated").path
        #expect(try CLI.run("report", "--main", "lambda1=0.01", "--main", "subjects=AD", "--db", db, "--out", repeated).status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: joined + "/report.md")) == Data(contentsOf: URL(fileURLWithPath: repeated + "/report.md")))
        #expect(try String(contentsOfFile: joined + "/report.md", encoding: .utf8).contains(
            "  - λ1, subjects given by --main, the rest chosen automatically among its masks: the setting shared by the most models (4 of the 4 models; ties go to the smallest λ2, then β1, β2)\n"))
    }

    @Test func reportRefusesAnEmptySelectionAndMainValuesNoMaskHas() throws {
        let out = commands.folder.appendingPathComponent("none").path
        let empty = try CLI.run("report", "--where", "fold = 9", "--db", db, "--out", out)
        #expect(empty.status == 1 && empty.stderr == "maskdb: error: no mask of study 'default' matches --where \"fold = 9\"; a report needs masks\n")
        let absent = try CLI.run("report", "--main", "lambda1=0.02", "--db", db, "--out", out)
        #expect(absent.status == 1 && absent.stderr == "maskdb: error: no mask has lambda1 = 0.02; recorded: 0.01, 0.1\n")
        let within = try CLI.run("report", "--where", "lambda1 = 0.01", "--main", "lambda1=0.1", "--db", db, "--out", out)
        #expect(within.status == 1 && within.stderr == "maskdb: error: no selected mask has lambda1 = 0.1; recorded: 0.01\n")
        let misspelt = try CLI.run("report", "--main", "lamda1=0.1", "--db", db, "--out", out)
        #expect(misspelt.status == 2)
        #expect(misspelt.stderr.hasPrefix("maskdb: error: --main: unknown field 'lamda1' at position 1; did you mean 'lambda1'? known fields: lambda1, lambda2, beta1, beta2, subjects, kind, method, subject\nUsage: maskdb report "))
        let notEqual = try CLI.run("report", "--main", "lambda1 > 0.01", "--db", db, "--out", out)
        #expect(notEqual.status == 2)
        #expect(notEqual.stderr.hasPrefix("maskdb: error: --main: 'lambda1 > 0.01' is not settings written FIELD=VALUE and joined by 'and' (e.g. \"lambda1=0.01 and lambda2=0.001\")\n"))
        let badWhere = try CLI.run("report", "--where", "params.nope = 1", "--db", db, "--out", out)
        #expect(badWhere.status == 2 && badWhere.stderr.hasPrefix("maskdb: error: --where: no recorded mask has the parameter params.nope; they have none\n"))
        #expect(!FileManager.default.fileExists(atPath: out))  // nothing written
    }
}
