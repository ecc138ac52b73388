import Foundation
import NIfTIFixtures
import Testing

/// Attribution maps beside masks, through every command a user runs on them.
struct AttributionCommandTests {
    let scratch: ScratchFolder
    var folder: URL { scratch.url }
    var db: String { scratch.path("study.sqlite") }

    init() throws {
        scratch = try ScratchFolder(prefix: "maskdb-maps")
    }

    /// Writes a 12 x 10 x 9 image of 15 mm voxels over AAL2's box.
    func image(_ name: String, _ values: [Float]) throws {
        var file = FixtureFile()
        file.shape = [12, 10, 9]
        file.encode(float32: values)
        file.sformCode = 4
        file.srows = [[15, 0, 0, -90], [0, 15, 0, -126], [0, 0, 15, -72]]
        try Data(StoredGzip.member(file.bytes)).write(to: folder.appendingPathComponent(name))
    }

    /// 2 folds x 2 runs: a keep mask per model, and a gradients and a grad-cam map per model
    /// (signed, of order 1e-5) for the group, written with `rows` extra manifest rows.
    func study(maps: Bool = true, masks: Bool = true) throws -> String {
        var lines = ["path\tfold\trun\tlambda1\tlambda2\tsemantics\tmethod"]
        for fold in 0..<2 {
            for run in 0..<2 {
                let seed = 3 + fold * 7 + run * 13
                if masks {
                    try image("mask-f\(fold)r\(run).nii.gz", (0..<1080).map { Float(($0 * seed) % 97) / 96 })
                    lines.append("mask-f\(fold)r\(run).nii.gz\t\(fold)\t\(run)\t0.1\t0.001\tkeep\t")
                }
                guard maps else { continue }
                for (k, method) in ["gradients", "grad-cam"].enumerated() {
                    let name = "\(method)-f\(fold)r\(run).nii.gz"
                    try image(name, (0..<1080).map { Float(($0 * (seed + k * 5)) % 31 - 15) * 1e-6 })
                    lines.append("\(name)\t\(fold)\t\(run)\t\t\tattribution\t\(method)")
                }
            }
        }
        let manifest = folder.appendingPathComponent("records.tsv")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: manifest)
        return manifest.path
    }

    func run(_ arguments: String...) throws -> CLI.Result {
        try CLI.run(arguments + ["--db", db])
    }

    @Test func masksAndMapsNeverPairAndEveryAnalysisSaysWhatItLeftOut() throws {
        let imported = try CLI.run("import", "masks", try study(), "--db", db)
        #expect(imported.status == 0 && imported.stdout.contains("12 added, 0 already recorded, 0 rejected"), "\(imported.stderr)")
        let listed = try run("masks", "--where", "kind = attribution and method = 'grad-cam'", "--format", "csv")
        #expect(listed.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false)[12...14].joined(separator: " ") }
            == Array(repeating: "attribution grad-cam ", count: 4))

        // By run, per fold: the two masks pair, and the two maps of each method: 3 pairs, 6 in all.
        let byRun = try run("similarity", "--by", "run", "--counts", "--format", "csv")
        #expect(byRun.stdout.split(separator: "\n")[1].hasSuffix(",0,6"))
        let pooled = try run("similarity", "--by", "run", "--counts", "--format", "csv", "--ignore", "method")
        // Ignoring the method pairs gradients with grad-cam too (2 more per fold), never a mask with a map.
        #expect(pooled.stdout.split(separator: "\n")[1].hasSuffix(",0,10") && pooled.stderr.contains("pooled over method (3 values)"))
        let byLambda = try run("similarity", "--by", "lambda1")
        #expect(byLambda.status == 0 && byLambda.stderr.contains(
            "note: 8 records without λ1 (attribution maps: λ1 and λ2 are settings of optimized masks) left out; compare them by method, subject, run or fold"))

        let robustness = try run("robustness")
        #expect(robustness.stderr.contains("the means pool the pairs of 2 kinds (attribution, mask) and 3 methods ('', grad-cam, gradients), each pair of one"))
        let grid = try run("grid", "--where", "kind = attribution")
        #expect(grid.status == 0 && grid.stderr.contains("left out, which is every one selected"))
        let mapGrid = try run("grid", "--where", "kind = attribution", "--rows", "method", "--cols", "run")
        // Densities of order 1e-6 print with enough decimals to read.
        #expect(mapGrid.stdout.contains("grad-cam") && !mapGrid.stdout.contains("0.0000 ") && mapGrid.stderr.isEmpty)
        let top = try run("top-rois", "--by", "method")
        #expect(top.status == 0 && !top.stderr.contains("pool"))
        #expect(try run("top-rois").stderr.contains("the rows pool the records of 2 kinds"))

        let report = try run("report", "--out", scratch.path("maps"), "--where", "kind = attribution")
        #expect(report.status == 0, "\(report.stderr)")
        let markdown = try String(contentsOfFile: scratch.path("maps/report.md"), encoding: .utf8)
        #expect(markdown.contains("- 8 attribution maps, with method in {grad-cam, gradients}"))
        #expect(markdown.contains("- main setting kind = attribution, method = grad-cam;"))
        #expect(markdown.contains("in a diverging blue-white-red scale (red positive, white 0, blue negative)"))
        // Their top regions carry attribution; they are not "masked".
        #expect(markdown.contains("The regions carrying the most attribution (hemispheres merged): mean |a|"))
        #expect(!markdown.contains("The regions masked most"))
        #expect(markdown.contains("8 records without λ1 or λ2 (attribution maps"))
        #expect(try run("report", "--out", scratch.path("all")).status == 0)
        #expect(try run("plot", "montage", "--by", "method", "-o", scratch.path("m.png")).status == 0)
    }

    @Test func exportAuditRemoveAndReplaceKeepWorkingForMaps() throws {
        _ = try CLI.run("import", "masks", try study(masks: false), "--db", db)
        let file = folder.appendingPathComponent("gradients-f1r0.nii.gz").path
        let audit = try run("audit", file)
        #expect(audit.status == 0 && audit.stdout.contains("semantics    attribution") && audit.stdout.contains("method       gradients"))
        #expect(audit.stdout.contains("λ1 -, λ2 -"))
        let exported = scratch.path("out.nii.gz")
        let sha256 = try #require(try run("audit", file, "--format", "json").stdout.split(separator: "\"").drop { $0 != "sha256" }.dropFirst(2).first)
        #expect(try run("export", String(sha256.prefix(12)), "-o", exported).status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: exported)) == Data(contentsOf: URL(fileURLWithPath: file)))
        // --replace amends a map's method and subject in place.
        let fix = folder.appendingPathComponent("fix.tsv")
        try Data("path\tfold\trun\tsemantics\tmethod\tsubject\ngradients-f1r0.nii.gz\t1\t0\tattribution\tintegrated-gradients\tsub-003_ses-M000\n".utf8).write(to: fix)
        let replaced = try CLI.run("import", "masks", fix.path, "--db", db, "--replace")
        #expect(replaced.status == 0 && replaced.stdout.contains("1 replaced"), "\(replaced.stdout)")
        let amended = try run("masks", "--where", "subject = 'sub-003_ses-M000'", "--format", "csv")
        #expect(amended.stdout.contains(",attribution,attribution,integrated-gradients,sub-003_ses-M000,"))
        #expect(try run("rm", "--where", "method = 'grad-cam'").status == 0)
        #expect(try run("masks", "--format", "csv").stdout.split(separator: "\n").count == 1 + 4)
        #expect(try run("verify").status == 0)
    }
}
