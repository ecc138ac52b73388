import Foundation
import Testing

/// `maskdb merge`, run as a user runs it: a job's database into the lab's, again, a
/// contradiction, `--strict`, `--dry-run` and the refusals.
struct MergeCommandTests {
    @Test func mergeAJobDatabaseIntoTheLabsAndAgain() throws {
        let commands = try StoreCommandTests()
        let job = commands.scratch.path("job.sqlite"), lab = commands.scratch.path("lab.sqlite")
        let imported = try CLI.run("import", "masks", try commands.study(), "--db", job)
        try #require(imported.status == 0, "\(imported.stderr)")

        let dry = try CLI.run("merge", job, "--into", lab, "--dry-run")
        #expect(dry.status == 0 && !FileManager.default.fileExists(atPath: lab), "\(dry.stderr)")
        #expect(dry.stdout.hasSuffix("dry run: nothing was written to \(lab)\n"))
        let merged = try CLI.run("merge", job, "--into", lab)
        #expect(merged.status == 0 && merged.stderr.isEmpty, "\(merged.stderr)")
        #expect(merged.stdout == """
            \(job) → \(lab):
              atlases     1 merged: 0 added, 1 already recorded, 0 rejected
              models      4 merged: 4 added, 0 already recorded, 0 rejected
              masks       8 merged: 8 added, 0 already recorded, 0 rejected

            """)
        let again = try CLI.run("merge", job, "--db", lab)
        #expect(again.status == 0 && again.stdout.contains("masks       8 merged: 0 added, 8 already recorded, 0 rejected\n"))
        let masks = { (db: String) in try CLI.run("masks", "--db", db, "--format", "csv").stdout }
        #expect(try masks(lab) == masks(job))
        let audit = try CLI.run("audit", "1", "--db", lab)
        let source = URL(fileURLWithPath: job).standardizedFileURL.path
        #expect(audit.stdout.contains(" merged from \(source) (its mask 1 there)\n  by           maskdb merge \(job) --into \(lab)\n"))
        #expect(audit.stdout.contains("Z  merged from \(source) (its mask 1 there)  (maskdb merge \(job) --into \(lab))\n"), "\(audit.stdout)")

        let itself = try CLI.run("merge", lab, "--db", lab)
        #expect(itself.status == 1 && itself.stderr == "maskdb: error: \(lab): this is the database merged into; a source must be another database\n")
        let missing = try CLI.run("merge", job + ".gone", "--db", lab)
        #expect(missing.status == 1 && missing.stderr == "maskdb: error: \(job).gone: no such database to merge from\n")
        let text = try commands.scratch.write(Array("hello\n".utf8), named: "notes.sqlite")
        let notADatabase = try CLI.run("merge", text, "--db", lab)
        #expect(notADatabase.status == 1 && notADatabase.stderr == "maskdb: error: \(text): not a maskdb database, nothing to merge from\n")
        let folder = try CLI.run("merge", commands.scratch.url.path, "--db", lab)
        #expect(folder.status == 1 && folder.stderr == "maskdb: error: \(commands.scratch.url.path): a folder, not a database to merge from\n")
        let two = try CLI.run("merge", job, "--db", lab, "--into", job)
        #expect(two.status == 2 && two.stderr.contains("name two databases; give one"), "\(two.stderr)")
    }

    @Test func aContradictionIsReportedAndStrictMergesNothing() throws {
        let commands = try StoreCommandTests()
        let job = commands.scratch.path("job.sqlite")
        #expect(try CLI.run("import", "masks", try commands.study(), "--db", commands.db).status == 0)
        // The job recorded the first file under another λ1.
        let other = try commands.study(named: "other.tsv", lambda1: ["f0r0l0.nii.gz": "0.5"])
        #expect(try CLI.run("import", "masks", other, "--db", job).status == 0)
        let before = try CLI.run("masks", "--db", commands.db, "--format", "csv").stdout

        let strict = try CLI.run("merge", job, "--db", commands.db, "--strict")
        let lines = strict.stderr.split(separator: "\n")
        #expect(strict.status == 1 && lines.count == 2 && strict.stdout.isEmpty)
        #expect(lines.first?.hasPrefix("\(job): mask 1 (") == true && lines.first?.contains("): recorded in this database for the same model under other settings (its mask 1: λ1 ") == true)
        #expect(lines.last == "maskdb: error: nothing merged into \(commands.db) (--strict): 1 record rejected")
        #expect(try CLI.run("masks", "--db", commands.db, "--format", "csv").stdout == before)

        let plain = try CLI.run("merge", job, "--db", commands.db)
        #expect(plain.status == 1 && plain.stderr.split(separator: "\n").count == 1)
        #expect(plain.stdout.contains("masks       8 merged: 0 added, 7 already recorded, 1 rejected\n"))
    }
}
