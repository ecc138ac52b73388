import Foundation
import GRDB
import NIfTIFixtures
import Testing

/// `maskdb atlas add`, `atlases`, `measure` and the analyses' `--atlas`, run as a user runs them.
struct AtlasCommandTests {
    let commands: StoreCommandTests
    let db: String
    /// A second atlas on the study's grid (12 x 10 x 9 voxels of 15 mm): label 1 where x < 6,
    /// label 2 elsewhere, and its table.
    let image: String, labels: String

    init() throws {
        commands = try StoreCommandTests()
        db = commands.db
        let imported = try CLI.run("import", "masks", try commands.study(), "--db", db)
        try #require(imported.status == 0, "\(imported.stderr)")
        var file = FixtureFile()
        file.shape = [12, 10, 9]
        file.encode((0..<1080).map { Int16($0 % 12 < 6 ? 1 : 2) }, code: 4)
        file.sformCode = 1
        file.srows = [[15, 0, 0, -90], [0, 15, 0, -126], [0, 0, 15, -72]]
        image = try file.write(named: "halves.nii", in: commands.scratch)
        labels = try commands.scratch.write(Array("roi_value\troi_name\n0\tBackground\n1\tLeft_L\n2\tRight_R\n".utf8), named: "halves.tsv")
    }

    @Test func addListMeasureAndAnalyseOverASecondAtlas() throws {
        let added = try CLI.run("atlas", "add", "halves", image, labels, "--db", db)
        #expect(added.status == 0 && added.stdout == "added atlas halves: 2 regions on a 12 x 10 x 9 grid\n")
        let again = try CLI.run("atlas", "add", "halves", image, labels, "--db", db)
        #expect(again.status == 0 && again.stdout == "atlas halves is registered already with these files; nothing changed\n")
        let other = try CLI.run("atlas", "add", "halves", image, commands.db, "--db", db)
        #expect(other.status == 1 && other.stderr.split(separator: "\n").count == 1)

        let before = try CLI.run("similarity", "--by", "lambda1", "--db", db, "--format", "csv")
        let unmeasured = try CLI.run("similarity", "--by", "lambda1", "--atlas", "halves", "--db", db)
        #expect(unmeasured.status == 1)
        #expect(unmeasured.stderr == "maskdb: error: 8 of the 8 selected records have no densities over atlas 'halves'; compute them with 'maskdb measure --atlas halves'\n")

        let firstFold = try CLI.run("measure", "--atlas", "halves", "--where", "fold = 0", "--db", db)
        #expect(firstFold.status == 0 && firstFold.stdout == "measured 4 records over halves\n", "\(firstFold.stderr)")
        let rest = try CLI.run("measure", "--atlas", "halves", "--db", db)
        #expect(rest.stdout == "measured 4 records over halves; 4 already measured over it, left as they were\n")
        #expect(try CLI.run("measure", "--atlas", "halves", "--db", db).stdout
            == "measured 0 records over halves; 8 already measured over it, left as they were\n")

        let listed = try CLI.run("atlases", "--db", db, "--format", "csv")
        let rows = listed.stdout.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        #expect(rows.first == ["name", "regions", "dims", "image_sha256", "labels_sha256", "imported", "measured"])
        #expect(rows.count == 3 && rows[1][0] == "aal2" && rows[1][1] == "120" && rows[1][5...] == ["8", "8"])
        #expect(rows[2][0] == "halves" && rows[2][1...2] == ["2", "12x10x9"] && rows[2][5...] == ["0", "8"] && rows[2][3].count == 12)

        // A recorded vector over the atlas is the original file's, measured against its files.
        let stored = try CLI.run("densities", "1", "--atlas", "halves", "--db", db, "--format", "csv")
        let file = try CLI.run("sql", "SELECT source FROM mask_settings WHERE id = 1", "--db", db, "--format", "csv")
        let path = String(file.stdout.split(separator: "\n")[1])
        let measured = try CLI.run("densities", path, "--atlas", image, "--labels", labels, "--format", "csv")
        let byName = try CLI.run("densities", path, "--atlas", "halves", "--db", db, "--format", "csv")
        #expect(stored.status == 0 && stored.stdout.hasPrefix("label,name,density,voxels\n1,Left_L,"))
        #expect(stored.stdout == measured.stdout && byName.stdout == measured.stdout)

        // The analyses over it: two regions, cosines of the two-region vectors; the default is what it was.
        let halves = try CLI.run("similarity", "--by", "lambda1", "--atlas", "halves", "--db", db, "--format", "csv")
        #expect(halves.status == 0 && halves.stdout != before.stdout)
        #expect(try CLI.run("similarity", "--by", "lambda1", "--db", db, "--format", "csv").stdout == before.stdout)
        let top = try CLI.run("top-rois", "--atlas", "halves", "--k", "1", "--db", db, "--format", "csv")
        #expect(top.status == 0 && top.stdout.split(separator: "\n").count == 3 && top.stdout.contains("Left_L") && top.stdout.contains("Right_R"))
        #expect(try CLI.run("robustness", "--atlas", "halves", "--db", db).status == 0)
        #expect(try CLI.run("grid", "--rows", "run", "--cols", "lambda1", "--atlas", "halves", "--db", db).status == 0)
        let report = commands.folder.appendingPathComponent("report")
        let written = try CLI.run("report", "--atlas", "halves", "--out", report.path, "--db", db)
        #expect(written.status == 0, "\(written.stderr)")
        #expect(try String(contentsOf: report.appendingPathComponent("report.md"), encoding: .utf8).contains("densities over the halves atlas"))
        #expect(try CLI.run("verify", "--db", db).status == 0)
        let unknown = try CLI.run("robustness", "--atlas", "nosuch", "--db", db)
        #expect(unknown.status == 1 && unknown.stderr == "maskdb: error: unknown atlas 'nosuch'; this database has aal2, halves\n")
    }

    /// A damaged stored file fails `measure` in one line naming the record and `maskdb verify`; nothing is written.
    @Test func aDamagedFileFailsMeasureWritingNothing() throws {
        #expect(try CLI.run("atlas", "add", "halves", image, labels, "--db", db).status == 0)
        let sha = try CLI.run("sql", "SELECT sha256 FROM mask_settings WHERE id = 3", "--db", db, "--format", "csv").stdout.split(separator: "\n")[1]
        // One byte of its voxels changed through SQLite itself (maskdb sql is read-only).
        let queue = try DatabaseQueue(path: db)
        try queue.write { db in
            var bytes = [UInt8](try #require(try Data.fetchOne(db, sql: "SELECT bytes FROM blobs WHERE sha256 = ?", arguments: [String(sha)])))
            bytes[bytes.count - 100] ^= 0x01
            try db.execute(sql: "UPDATE blobs SET bytes = ? WHERE sha256 = ?", arguments: [Data(bytes), String(sha)])
        }
        try queue.close()
        let failed = try CLI.run("measure", "--atlas", "halves", "--db", db)
        #expect(failed.status == 1)
        #expect(failed.stderr.hasPrefix("maskdb: error: mask 3: its stored file's sha256 is ") && failed.stderr.hasSuffix("run maskdb verify\n"))
        #expect(failed.stderr.split(separator: "\n").count == 1)
        let rows = try CLI.run("sql", "SELECT count(*) FROM mask_densities WHERE atlas_id <> 1", "--db", db, "--format", "csv")
        #expect(rows.stdout == "count(*)\n0\n")
    }

    /// `atlas rm` as a user runs it: a dry run changes nothing, the removal says what went,
    /// audit names the measure behind a vector, the built-in and unknown atlases are refused in one line.
    @Test func removeAnAtlasAndAuditItsMeasurements() throws {
        #expect(try CLI.run("atlas", "add", "halves", image, labels, "--db", db).status == 0)
        #expect(try CLI.run("measure", "--atlas", "halves", "--where", "fold = 0", "--db", db).status == 0)
        let audited = try CLI.run("audit", "1", "--db", db)
        let line = audited.stdout.split(separator: "\n").first { $0.hasPrefix("  measured ") }
        #expect(line.map { $0.hasPrefix("  measured     over atlas halves 20") && $0.hasSuffix(" by maskdb measure --atlas halves --where 'fold = 0' --db \(db)") } == true, "\(audited.stdout)")
        let json = try CLI.run("audit", "1", "--db", db, "--format", "json")
        #expect(json.stdout.contains("\"measured_over\": [\n      {\n        \"atlas\": \"halves\","))

        let dry = try CLI.run("atlas", "rm", "halves", "--dry-run", "--db", db)
        #expect(dry.status == 0 && dry.stdout == "would remove atlas halves and 4 records' densities over it (dry run: nothing changed)\n")
        #expect(try CLI.run("robustness", "--atlas", "halves", "--where", "fold = 0", "--db", db).status == 0)
        let removed = try CLI.run("atlas", "rm", "halves", "--db", db)
        #expect(removed.status == 0 && removed.stdout == "removed atlas halves and 4 records' densities over it\n")
        #expect(try CLI.run("atlases", "--db", db, "--format", "csv").stdout.split(separator: "\n").count == 2)
        #expect(try CLI.run("audit", "1", "--db", db).stdout.contains("measured ") == false)
        let gone = try CLI.run("robustness", "--atlas", "halves", "--db", db)
        #expect(gone.status == 1 && gone.stderr == "maskdb: error: unknown atlas 'halves'; this database has aal2\n")
        let again = try CLI.run("atlas", "rm", "halves", "--db", db)
        #expect(again.status == 1 && again.stderr == "maskdb: error: unknown atlas 'halves'; this database has aal2\n")
        let builtin = try CLI.run("atlas", "rm", "aal2", "--db", db)
        #expect(builtin.status == 1 && builtin.stderr == "maskdb: error: atlas 'aal2' is maskdb's built-in atlas, which imports measure over by default; it cannot be removed\n")
        #expect(try CLI.run("verify", "--db", db).status == 0)
        // The same name with other files, refused before, is registered once the old one is gone.
        let other = try CLI.run("atlas", "add", "halves", image, labels, "--db", db)
        #expect(other.status == 0 && other.stdout == "added atlas halves: 2 regions on a 12 x 10 x 9 grid\n")
    }
}
