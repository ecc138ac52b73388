import Foundation
import NIfTIFixtures
import Testing

/// `maskdb import masks|models --pattern`: the files a path pattern finds are the rows of a
/// manifest, imported exactly as that manifest would be.
struct PatternCommandTests {
    let scratch: ScratchFolder
    var folder: URL { scratch.url }

    init() throws {
        scratch = try ScratchFolder(prefix: "maskdb-pattern-cli")
    }

    static let pattern = "results/fold-{fold}/run-{run}/lambda1-{lambda1}/mask.nii.gz"

    /// Writes a 2-fold x 5-run x 2-λ1 study, `results/fold-F/run-R/lambda1-L/mask.nii.gz`
    /// (20 coarse masks over AAL2's box, each its own values), and returns the lines of its
    /// manifest (λ2 0.001), sorted by path as a pattern finds them.
    func study(lambda1s: [String] = ["0.1", "0.01"]) throws -> [String] {
        var rows: [String] = []
        for fold in 0..<2 {
            for run in 0..<5 {
                for (k, lambda1) in lambda1s.enumerated() {
                    let path = "results/fold-\(fold)/run-\(run)/lambda1-\(lambda1)/mask.nii.gz"
                    let url = folder.appendingPathComponent(path)
                    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try StoreCommandTests.coarseMask(fold: fold, run: run, k: k).write(to: url)
                    rows.append("\(path)\t\(fold)\t\(run)\t\(lambda1)\t0.001")
                }
            }
        }
        return ["path\tfold\trun\tlambda1\tlambda2"] + rows.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    func write(_ name: String, _ lines: [String]) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
        return url.path
    }

    func db(_ name: String) -> String { scratch.path(name) }

    func sql(_ query: String, _ db: String) throws -> String {
        try CLI.run("sql", query, "--db", db, "--format", "csv").stdout
    }

    @Test func aPatternImportsTheStudyExactlyAsItsManifest() throws {
        let manifest = try write("masks.tsv", try study())
        let (byManifest, byPattern) = (db("manifest.sqlite"), db("pattern.sqlite"))
        let imported = try CLI.run("import", "masks", manifest, "--db", byManifest)
        #expect(imported.status == 0 && imported.stdout.contains("20 added"), "\(imported.stderr)")
        let found = try CLI.run(["import", "masks", "--pattern", Self.pattern, "--set", "lambda2=0.001", "--db", byPattern], folder: folder)
        #expect(found.status == 0, "\(found.stderr)")
        #expect(found.stdout == "\(Self.pattern): 20 masks: 20 added, 0 already recorded, 0 rejected (\(byPattern), study default)\n")
        // The same records, files, densities and rows, and the same manifest's sha256.
        let masks = try CLI.run("masks", "--db", byManifest, "--format", "csv").stdout
        #expect(masks.split(separator: "\n").count == 21)
        #expect(try CLI.run("masks", "--db", byPattern, "--format", "csv").stdout == masks)
        for query in [
            "SELECT mask_id, label, density, voxels FROM mask_densities ORDER BY mask_id, label",
            "SELECT line, path, sha256, outcome, message FROM import_rows WHERE import_id = (SELECT max(id) FROM imports) ORDER BY line",
            "SELECT kind, manifest_sha256, added, unchanged, rejected, outcome FROM imports ORDER BY id",
            "SELECT sha256, size FROM blobs ORDER BY sha256",
        ] {
            #expect(try sql(query, byPattern) == sql(query, byManifest), "\(query)")
        }
        // The audit log names the root and the pattern; a report's paths are relative to the root.
        let root = (folder.path as NSString).standardizingPath
        #expect(try sql("SELECT manifest_path FROM imports WHERE kind = 'masks'", byPattern) == "manifest_path\n\(root)//\(Self.pattern)\n")
        #expect(try CLI.run("audit", "1", "--db", byPattern).stdout.contains("from \(root)//\(Self.pattern) line 2"))
        for (database, out) in [(byManifest, "report-manifest"), (byPattern, "report-pattern")] {
            #expect(try CLI.run("report", "--db", database, "--out", scratch.path(out)).status == 0)
        }
        let provenance = try String(contentsOfFile: scratch.path("report-pattern/provenance.csv"), encoding: .utf8)
        #expect(provenance.contains("results/fold-0/run-0/lambda1-0.01/mask.nii.gz"))
        #expect(try provenance == String(contentsOfFile: scratch.path("report-manifest/provenance.csv"), encoding: .utf8))
        // Again: nothing new; from elsewhere with --root, the same.
        let again = try CLI.run("import", "masks", "--pattern", Self.pattern, "--set", "lambda2=0.001", "--root", folder.path, "--db", byPattern)
        #expect(again.status == 0 && again.stdout.contains("0 added, 20 already recorded, 0 rejected"), "\(again.stderr)")
        #expect(try CLI.run("masks", "--db", byPattern, "--format", "csv").stdout == masks)
    }

    @Test func aDryRunPrintsTheManifestAndWritesNothing() throws {
        let lines = try study()
        let database = db("dry.sqlite")
        let dry = try CLI.run(["import", "masks", "--pattern", Self.pattern, "--set", "lambda2=0.001", "--dry-run", "--db", database], folder: folder)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout == lines.joined(separator: "\n") + "\n")
        #expect(dry.stderr.hasPrefix("dry run: \(Self.pattern): 20 masks: 20 added, 0 already recorded, 0 rejected (\(database), study default)\n  row 2: results/fold-0/run-0/lambda1-0.01/mask.nii.gz: would add\n"))
        #expect(dry.stderr.hasSuffix("dry run: nothing was written to \(database)\n"))
        #expect(!FileManager.default.fileExists(atPath: database))
        // What it prints is a manifest: imported from the root, it is the pattern's import.
        let manifest = folder.appendingPathComponent("generated.tsv")
        try dry.bytes.write(to: manifest)
        #expect(try CLI.run("import", "masks", manifest.path, "--db", database).stdout.contains("20 added"))
        let real = try CLI.run(["import", "masks", "--pattern", Self.pattern, "--set", "lambda2=0.001", "--db", database], folder: folder)
        #expect(real.stdout.contains("0 added, 20 already recorded"))
        #expect(try sql("SELECT count(DISTINCT manifest_sha256) AS n FROM imports WHERE kind = 'masks'", database) == "n\n1\n")
    }

    @Test func anUnparsableCaptureIsARejectedRow() throws {
        _ = try study(lambda1s: ["0.1", "abc"])
        let database = db("study.sqlite")
        let imported = try CLI.run(["import", "masks", "--pattern", Self.pattern, "--set", "lambda2=0.001", "--db", database], folder: folder)
        #expect(imported.status == 1)
        let rejected = imported.stderr.split(separator: "\n")
        #expect(rejected.count == 10)
        // Row N: the file's line in the manifest the pattern makes (sorted by path, the header line 1).
        #expect(rejected.first == "row 3: results/fold-0/run-0/lambda1-abc/mask.nii.gz: lambda1 'abc' is not a number")
        #expect(rejected.last == "row 21: results/fold-1/run-4/lambda1-abc/mask.nii.gz: lambda1 'abc' is not a number")
        #expect(imported.stdout.contains("20 masks: 10 added, 0 already recorded, 10 rejected"))
        // A dry run prints the manifest, and the same rejections.
        let dry = try CLI.run(["import", "masks", "--pattern", Self.pattern, "--set", "lambda2=0.001", "--dry-run", "--db", db("dry.sqlite")], folder: folder)
        #expect(dry.status == 1)
        #expect(dry.stdout.split(separator: "\n").count == 21)
        #expect(dry.stderr.hasPrefix(rejected.prefix(10).joined(separator: "\n") + "\n"))
    }

    @Test func aPatternMatchingNothingIsAnError() throws {
        _ = try study()
        let database = db("none.sqlite")
        let none = try CLI.run(["import", "masks", "--pattern", "results/fold-{fold}/run-{run}/lambda1-{lambda1}/*.nii", "--set", "lambda2=0", "--db", database], folder: folder)
        #expect(none.status == 1)
        let root = (folder.path as NSString).standardizingPath
        #expect(none.stderr == "maskdb: error: results/fold-{fold}/run-{run}/lambda1-{lambda1}/*.nii: matches no file under \(root)\n")
        #expect(!FileManager.default.fileExists(atPath: database))
    }

    @Test func aMisspeltFieldIsRefusedAsAManifestColumnIs() throws {
        var lines = try study()
        lines = lines.enumerated().map { $0 == 0 ? $1 + "\tsemantic" : $1 + "\tkeep" }
        let manifest = try write("misspelt.tsv", lines)
        let column = try CLI.run("import", "masks", manifest, "--db", db("a.sqlite"))
        let pattern = "results/fold-{fold}/run-{run}/lambda1-{lambda1}/mask.nii.{semantic}"
        let field = try CLI.run(["import", "masks", "--pattern", pattern, "--set", "lambda2=0.001", "--db", db("b.sqlite")], folder: folder)
        #expect(column.status == 1 && field.status == 1)
        #expect(column.stderr == "maskdb: error: \(manifest): unknown column 'semantic'; did you mean 'semantics'? (to keep it as an annotation, name the column 'annotation.semantic')\n")
        #expect(field.stderr == column.stderr.replacingOccurrences(of: manifest, with: pattern))
        // A required field neither captured nor set: the manifest's message too.
        let missing = try CLI.run(["import", "masks", "--pattern", Self.pattern, "--db", db("b.sqlite")], folder: folder)
        #expect(missing.stderr == "maskdb: error: \(Self.pattern): missing required column lambda2; the header has path, fold, run, lambda1\n")
        #expect(!FileManager.default.fileExists(atPath: db("b.sqlite")))
    }

    @Test func usageErrorsAreRefusedBeforeAnythingRuns() throws {
        let manifest = try write("masks.tsv", try study())
        let both = try CLI.run("import", "masks", manifest, "--pattern", Self.pattern, "--db", db("x.sqlite"))
        #expect(both.status == 2 && both.stderr.hasPrefix("maskdb: error: give a manifest or '--pattern', not both\n"))
        let neither = try CLI.run("import", "masks", "--db", db("x.sqlite"))
        #expect(neither.status == 2 && neither.stderr.hasPrefix("maskdb: error: missing a manifest (or '--pattern PATTERN')\n"))
        let unset = try CLI.run("import", "masks", "--pattern", Self.pattern, "--set", "lambda2", "--db", db("x.sqlite"))
        #expect(unset.status == 2 && unset.stderr.hasPrefix("maskdb: error: '--set lambda2': write FIELD=VALUE, e.g. --set lambda2=0.001\n"))
        let rootless = try CLI.run("import", "masks", manifest, "--set", "lambda2=1", "--db", db("x.sqlite"))
        #expect(rootless.status == 2 && rootless.stderr.hasPrefix("maskdb: error: '--root' and '--set' go with '--pattern'\n"))
        let twice = try CLI.run(["import", "masks", "--pattern", Self.pattern, "--set", "lambda1=1", "--set", "lambda2=0", "--db", db("x.sqlite")], folder: folder)
        #expect(twice.status == 1)
        #expect(twice.stderr == "maskdb: error: \(Self.pattern): lambda1 is both captured by the pattern and given by --set; keep one\n")
        let evaluations = try CLI.run("import", "evaluations", "--db", db("x.sqlite"))
        #expect(evaluations.status == 2 && evaluations.stderr.hasPrefix("maskdb: error: missing expected argument '<file.tsv>'\n"))
        #expect(!FileManager.default.fileExists(atPath: db("x.sqlite")))
    }

    @Test func modelsByPatternAreTheirManifestsModels() throws {
        var rows: [String] = []
        for fold in 0..<2 {
            for run in 0..<2 {
                let path = "models/fold-\(fold)/run-\(run)/weights.pt"
                let url = folder.appendingPathComponent(path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data("weights of fold \(fold) run \(run)".utf8).write(to: url)
                rows.append("\(path)\t\(fold)\t\(run)\tresnet")
            }
        }
        let manifest = try write("models.tsv", ["weights\tfold\trun\tarchitecture"] + rows)
        let (byManifest, byPattern) = (db("manifest.sqlite"), db("pattern.sqlite"))
        #expect(try CLI.run("import", "models", manifest, "--db", byManifest).status == 0)
        let pattern = "models/fold-{fold}/run-{run}/*.pt"
        let dry = try CLI.run(["import", "models", "--pattern", pattern, "--set", "architecture=resnet", "--dry-run", "--db", byPattern], folder: folder)
        #expect(dry.stdout == (["weights\tfold\trun\tarchitecture"] + rows).joined(separator: "\n") + "\n")
        let found = try CLI.run(["import", "models", "--pattern", pattern, "--set", "architecture=resnet", "--db", byPattern], folder: folder)
        #expect(found.status == 0 && found.stdout.hasPrefix("\(pattern): 4 models: 4 added"), "\(found.stderr)")
        let models = try CLI.run("models", "--db", byManifest, "--format", "csv").stdout
        #expect(models.contains("resnet"))
        #expect(try CLI.run("models", "--db", byPattern, "--format", "csv").stdout == models)
        #expect(try sql("SELECT sha256 FROM blobs ORDER BY sha256", byPattern) == sql("SELECT sha256 FROM blobs ORDER BY sha256", byManifest))
        // A weights column is the file itself: no capture or constant fills it.
        let captured = try CLI.run(["import", "models", "--pattern", "models/{weights}/run-{run}/weights.pt", "--db", byPattern], folder: folder)
        #expect(captured.stderr == "maskdb: error: models/{weights}/run-{run}/weights.pt: {weights} would capture the column that names the file itself; the file's path fills it\n")
    }
}
