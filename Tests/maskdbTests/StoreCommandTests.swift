import GRDB
import StudyCore
import Foundation
import NIfTIFixtures
import Testing

/// The store's commands, run as a user runs them, on a 2-fold x 2-run study of small masks.
struct StoreCommandTests {
    let scratch: ScratchFolder
    var folder: URL { scratch.url }
    var db: String { scratch.path("study.sqlite") }

    init() throws {
        scratch = try ScratchFolder(prefix: "maskdb-cli")
    }

    @Test func jobsBeyondFourPerCoreAreRefusedBeforeAnythingIsWritten() throws {
        let manifest = try study()
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let tooMany = try CLI.run("import", "masks", manifest, "--db", db, "--jobs", "\(4 * cores + 1)")
        #expect(tooMany.status == 2)
        #expect(tooMany.stderr.contains("'--jobs \(4 * cores + 1)': this machine has \(cores) core"))
        #expect(tooMany.stderr.contains("give at most \(4 * cores)"))
        #expect(!FileManager.default.fileExists(atPath: db))
        let zero = try CLI.run("import", "masks", manifest, "--db", db, "--jobs", "0")
        #expect(zero.status == 2 && zero.stderr.contains("'--jobs 0': give at least 1"))
        let most = try CLI.run("import", "masks", manifest, "--db", db, "--jobs", "\(4 * cores)")
        #expect(most.status == 0, "\(most.stderr)")
    }

    /// Writes 8 coarse masks (15 mm voxels over AAL2's box, f<fold>r<run>l<k>.nii.gz, λ1 0.1
    /// for k = 0 and 0.01 for k = 1) and their manifest `name`; `lambda1` overrides a file's
    /// λ1 (a typo), `extraRow` is added as written.
    func study(named manifestName: String = "masks.tsv", extraRow: String? = nil, lambda1 overrides: [String: String] = [:]) throws -> String {
        var lines = ["path\tfold\trun\tlambda1\tlambda2\tsubjects"]
        for fold in 0..<2 {
            for run in 0..<2 {
                for (k, lambda1) in ["0.1", "0.01"].enumerated() {
                    let name = "f\(fold)r\(run)l\(k).nii.gz"
                    try Self.coarseMask(fold: fold, run: run, k: k).write(to: folder.appendingPathComponent(name))
                    lines.append("\(name)\t\(fold)\t\(run)\t\(overrides[name] ?? lambda1)\t0.001\tAD")
                }
            }
        }
        if let extraRow { lines.append(extraRow) }
        let manifest = folder.appendingPathComponent(manifestName)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: manifest)
        return manifest.path
    }

    /// A gzipped 12 x 10 x 9 mask of 15 mm voxels over AAL2's box, its values set by fold, run and k.
    static func coarseMask(fold: Int, run: Int, k: Int) -> Data {
        var file = FixtureFile()
        file.shape = [12, 10, 9]
        let seed = 3 + fold * 7 + run * 13 + k * 29
        file.encode(float32: (0..<1080).map { Float(($0 * seed) % 97) / 96 })
        file.sformCode = 4
        file.srows = [[15, 0, 0, -90], [0, 15, 0, -126], [0, 0, 15, -72]]
        return Data(StoredGzip.member(file.bytes))
    }

    @Test func importReportsAndRejectsRowsByLine() throws {
        let manifest = try study(extraRow: "gone.nii.gz\t0\t0\t0.1\t0.001\tAD")
        let result = try CLI.run("import", "masks", manifest, "--db", db)
        #expect(result.status == 1)
        #expect(result.stderr == "row 10: gone.nii.gz: cannot read the file: no such file or directory\n")
        #expect(result.stdout == "\(manifest): 9 masks: 8 added, 0 already recorded, 1 rejected (\(db), study default)\n")
        let again = try CLI.run("import", "masks", manifest, "--db", db)
        #expect(again.stdout.contains("0 added, 8 already recorded, 1 rejected"))
    }

    @Test func studiesAreExplicitWhenThereAreSeveral() throws {
        let manifest = try study()
        #expect(try CLI.run("import", "masks", manifest, "--db", db, "--study", "first").stdout.hasSuffix("(\(db), study first)\n"))
        // The only study is where rows without a study column go.
        #expect(try CLI.run("import", "masks", manifest, "--db", db).stdout.hasSuffix("0 added, 8 already recorded, 0 rejected (\(db), study first)\n"))
        #expect(try CLI.run("init", "--db", db, "--study", "second").status == 0)
        // Two studies: an import must say which, and so must an analysis.
        let unsaid = try CLI.run("import", "masks", manifest, "--db", db)
        #expect(unsaid.status == 1)
        #expect(unsaid.stderr == "maskdb: error: \(manifest): the database has several studies (first, second); say which with --study or a study column\n")
        for command in [["similarity", "--by", "lambda1"], ["robustness"], ["top-rois"], ["grid"]] {
            let pooled = try CLI.run(command + ["--db", db])
            #expect(pooled.status == 1, "\(command)")
            #expect(pooled.stderr == "maskdb: error: the database has several studies (first, second); pick one with --study\n", "\(command)")
        }
        let robustness = try CLI.run("robustness", "--db", db, "--study", "first", "--format", "csv")
        #expect(robustness.status == 0 && robustness.stdout.contains("roi_cosine,"))
        let empty = try CLI.run("robustness", "--db", db, "--study", "second")
        #expect(empty.status == 0 && empty.stderr.hasSuffix("the table is empty\n"))
        // A misspelt study is no new study, and says which there are; listings take --study too.
        let misspelt = try CLI.run("masks", "--db", db, "--study", "frist")
        #expect(misspelt.status == 1)
        #expect(misspelt.stderr == "maskdb: error: no study 'frist' in \(db); it has first, second\n")
        #expect(try CLI.run("masks", "--db", db, "--format", "csv").stdout.split(separator: "\n").count == 9)  // all, with their study
        #expect(try CLI.run("sql", "SELECT count(*) AS n FROM studies", "--db", db, "--format", "csv").stdout == "n\n2\n")
    }

    @Test func aDashIsStandardInputOrOutput() throws {
        // A manifest on standard input: its paths are relative to the current folder.
        let manifest = try Data(contentsOf: URL(fileURLWithPath: try study()))
        let imported = try CLI.run(["import", "masks", "-", "--db", db], input: manifest, folder: folder)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout == "-: 8 masks: 8 added, 0 already recorded, 0 rejected (\(db), study default)\n")
        #expect(try CLI.run("audit", "1", "--db", db).stdout.contains("from (standard input) line 2"))
        // A mask to standard output: its bytes alone, as imported; what was written on stderr.
        let original = try Data(contentsOf: folder.appendingPathComponent("f0r0l0.nii.gz"))
        let exported = try CLI.run("export", "1", "-o", "-", "--db", db)
        #expect(exported.status == 0)
        #expect(exported.bytes == original)
        #expect(exported.stderr.hasPrefix("standard output: \(original.count) bytes, sha256 "))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("-").path))
        // A picture too.
        let png = try CLI.run("plot", "mask", "1", "-o", "-", "--db", db)
        #expect(png.status == 0 && png.bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]))
    }

    @Test func strictImportWritesNothing() throws {
        let manifest = try study(extraRow: "gone.nii.gz\t0\t0\t0.1\t0.001\tAD")
        let result = try CLI.run("import", "masks", manifest, "--db", db, "--strict")
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasSuffix("maskdb: error: \(manifest): nothing imported (--strict): 1 row rejected\n"))
        #expect(try CLI.run("sql", "SELECT count(*) AS n FROM masks", "--db", db, "--format", "csv").stdout == "n\n0\n")
    }

    @Test func eightConcurrentImportersAllSucceed() throws {
        let manifest = try study()
        let processes = try (0..<8).map { _ in
            let process = Process()
            process.executableURL = CLI.productsDirectory.appendingPathComponent("maskdb")
            process.arguments = ["import", "masks", manifest, "--db", db]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }
        for process in processes { process.waitUntilExit() }
        #expect(processes.map(\.terminationStatus) == Array(repeating: 0, count: 8))
        #expect(try CLI.run("sql", "SELECT count(*) AS n FROM masks", "--db", db, "--format", "csv").stdout == "n\n8\n")
        #expect(try CLI.run("verify", "--db", db).status == 0)
    }

    @Test func whereFiltersAndTreatsHostileStringsAsValues() throws {
        _ = try CLI.run("import", "masks", try study(), "--db", db)
        func ids(_ expression: String) throws -> [String] {
            let result = try CLI.run("masks", "--db", db, "--where", expression, "--format", "csv")
            #expect(result.status == 0, "\(expression): \(result.stderr)")
            return result.stdout.split(separator: "\n").dropFirst().map { String($0.prefix { $0 != "," }) }
        }
        #expect(try ids("fold = 1 and (run = 0 or lambda1 < 0.05)") == ["5", "6", "8"])
        #expect(try ids("lambda1 in (0.1) and not fold = 0") == ["5", "7"])
        #expect(try ids("subjects = 'AD'' OR ''1''=''1'") == [])
        #expect(try ids("subjects = \"AD\" and run != 1") == ["1", "2", "5", "6"])
        let unknown = try CLI.run("masks", "--db", db, "--where", "fodl = 1")
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("unknown field 'fodl'"))
        #expect(unknown.stderr.contains("known fields: id, sha256, study, fold, run"))
    }

    @Test func anotherSQLiteDatabaseIsRefusedByEveryCommandAndLeftAsItWas() throws {
        let other = scratch.path("other.sqlite")
        let queue = try DatabaseQueue(path: other)
        try queue.write { db in try db.execute(sql: "CREATE TABLE runs (id INTEGER PRIMARY KEY, note TEXT); INSERT INTO runs VALUES (1, 'x')") }
        try queue.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: other))
        let message = "maskdb: error: \(other): an SQLite database, but not maskdb's (its tables: runs); it was left as it is; give --db a maskdb database or a new file\n"
        for arguments in [["masks"], ["models"], ["verify"], ["init"], ["import", "masks", try study()], ["sql", "SELECT 1"], ["similarity", "--by", "lambda1"]] {
            let result = try CLI.run(arguments + ["--db", other])
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr == message, "\(arguments)")
            #expect(result.stdout.isEmpty, "\(arguments)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: other)) == before)
    }

    @Test func anEmptySelectionSaysSoAndAMisspeltParameterIsNamed() throws {
        // The study with a setting of the lab's own, optimizer.
        let lines = try String(contentsOfFile: try study(), encoding: .utf8).split(separator: "\n")
        let withParameter = folder.appendingPathComponent("with-optimizer.tsv")
        try Data(([lines[0] + "\tsetting.optimizer"] + lines.dropFirst().map { $0 + "\tadam" }).joined(separator: "\n").utf8).write(to: withParameter)
        #expect(try CLI.run("import", "masks", withParameter.path, "--db", db).status == 0)
        let none = try CLI.run("masks", "--db", db, "--where", "fold = 9", "--format", "csv")
        #expect(none.status == 0)
        #expect(none.stdout.split(separator: "\n").count == 1)  // the header alone
        #expect(none.stderr == "maskdb: no recorded mask matches --where \"fold = 9\"; the table is empty\n")
        for command in [["similarity", "--by", "lambda1"], ["robustness"], ["top-rois"], ["grid"]] {
            let result = try CLI.run(command + ["--db", db, "--where", "fold = 9"])
            #expect(result.status == 0 && result.stderr.hasSuffix("the table is empty\n"), "\(command): \(result.stderr)")
        }
        let models = try CLI.run("models", "--db", db, "--where", "fold = 9")
        #expect(models.stderr == "maskdb: no recorded model matches --where \"fold = 9\"; the table is empty\n")
        // The study's masks have the parameter optimizer: a slip is named, and what there is.
        let slip = try CLI.run("masks", "--db", db, "--where", "params.optimzer = adam")
        #expect(slip.status == 2)
        #expect(slip.stderr.hasPrefix(
            "maskdb: error: --where: no recorded mask has the parameter params.optimzer; did you mean params.optimizer? they have params.optimizer\n"))
        let field = try CLI.run("masks", "--db", db, "--where", "lamda1 = 0.1")
        #expect(field.status == 2 && field.stderr.contains("unknown field 'lamda1' at position 1; did you mean 'lambda1'?"))
    }

    @Test func aMissingManifestCreatesNoDatabase() throws {
        let manifest = folder.appendingPathComponent("nope.tsv").path
        let result = try CLI.run("import", "masks", manifest, "--db", db)
        #expect(result.status == 1)
        #expect(result.stderr == "maskdb: error: \(manifest): cannot read the manifest: no such file or directory\n")
        #expect(!FileManager.default.fileExists(atPath: db))
    }

    @Test func aFolderGivenAsTheDatabaseIsNamed() throws {
        let message = "maskdb: error: \(folder.path): a folder, not a database file; give --db a file's path\n"
        for arguments in [["masks"], ["sql", "SELECT 1"], ["init"]] {
            let result = try CLI.run(arguments + ["--db", folder.path])
            #expect(result.status == 1 && result.stderr == message, "\(arguments)")
        }
    }

    @Test func masksCSVHasTheDocumentedColumns() throws {
        _ = try CLI.run("import", "masks", try study(), "--db", db)
        let header = try CLI.run("masks", "--db", db, "--format", "csv").stdout.split(separator: "\n").first
        #expect(header == "id,sha256,study,fold,run,model,lambda1,lambda2,beta1,beta2,subjects,semantics,kind,method,subject,atlas,params,annotations,source")
    }

    @Test func auditExportAndVerify() throws {
        _ = try CLI.run("import", "masks", try study(), "--db", db)
        let file = folder.appendingPathComponent("f1r1l1.nii.gz").path
        let audit = try CLI.run("audit", file, "--db", db, "--format", "json")
        #expect(audit.status == 0)
        let records = try #require(try JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as? [[String: Any]])
        #expect(records.count == 1)
        #expect(records[0]["fold"] as? Int == 1 && records[0]["run"] as? Int == 1)
        #expect(records[0]["lambda1"] as? Double == 0.01 && records[0]["lambda2"] as? Double == 0.001)
        let text = try CLI.run("audit", file, "--db", db)
        #expect(text.stdout.contains("fold 1, run 1"))

        let sha = try #require(records[0]["sha256"] as? String)
        let exported = folder.appendingPathComponent("exported.nii.gz").path
        #expect(try CLI.run("export", String(sha.prefix(10)), "-o", exported, "--db", db).status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: exported)) == Data(contentsOf: URL(fileURLWithPath: file)))
        let refused = try CLI.run("export", String(sha.prefix(10)), "-o", exported, "--db", db)
        #expect(refused.status == 1 && refused.stderr.contains("pass --force"))

        let stranger = folder.appendingPathComponent("stranger.nii").path
        try Data(FixtureFile().bytes).write(to: URL(fileURLWithPath: stranger))
        let missing = try CLI.run("audit", stranger, "--db", db)
        #expect(missing.status == 1)
        #expect(missing.stderr == "maskdb: error: \(stranger): not recorded in this database\n")

        #expect(try CLI.run("verify", "--db", db).status == 0)
        let tamper = "UPDATE blobs SET bytes = zeroblob(size) WHERE sha256 = '\(sha)'"
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        sqlite.arguments = ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()", db, tamper]
        try sqlite.run()
        sqlite.waitUntilExit()
        try #require(sqlite.terminationStatus == 0, "python3 could not alter the database")
        let broken = try CLI.run("verify", "--db", db)
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("blob \(sha): its bytes no longer hash to their sha256 (altered)"))
    }

    @Test func storedDensitiesPrintLikeTheFiles() throws {
        _ = try CLI.run("import", "masks", try study(), "--db", db)
        let file = folder.appendingPathComponent("f0r1l0.nii.gz").path
        let fromFile = try CLI.run("densities", file, "--format", "csv")
        let sha = try CLI.run("sql", "SELECT sha256 FROM mask_settings WHERE source LIKE '%f0r1l0%'", "--db", db, "--format", "tsv")
            .stdout.split(separator: "\n")[1]
        let stored = try CLI.run("densities", String(sha.prefix(12)), "--db", db, "--format", "csv")
        #expect(stored.status == 0)
        #expect(stored.stdout == fromFile.stdout)
    }

    @Test func readOnlySQLRefusesWritesAndRunsOneStatement() throws {
        _ = try CLI.run("init", "--db", db)
        let result = try CLI.run("sql", "DROP TABLE masks", "--db", db)
        #expect(result.status == 1)
        #expect(result.stderr.contains("maskdb sql runs read-only queries"))
        for query in ["SELECT 1; SELECT 2", " "] {
            let refused = try CLI.run("sql", query, "--db", db)
            #expect(refused.status == 1 && refused.stdout.isEmpty)
            #expect(refused.stderr == "maskdb: error: '\(query)': maskdb sql runs exactly one statement; give one SELECT\n")
        }
    }

    @Test func analysesOfAnEmptyDatabaseSayWhyInOneLine() throws {
        _ = try CLI.run("init", "--db", db)
        let report = try CLI.run("report", "--db", db, "--out", folder.appendingPathComponent("r").path)
        #expect(report.status == 1)
        #expect(report.stderr == "maskdb: error: the database has no study yet; import masks first\n")
        let montage = try CLI.run("plot", "montage", "-o", folder.appendingPathComponent("m.png").path, "--db", db)
        #expect(montage.status == 1)
        #expect(montage.stderr == "maskdb: error: no recorded mask matches --where; nothing to draw\n")
    }

    @Test func readingCommandsNeedADatabase() throws {
        let result = try CLI.run("masks", "--db", folder.appendingPathComponent("none.sqlite").path)
        #expect(result.status == 1)
        #expect(result.stderr.contains("no maskdb database here"))
    }
}

extension StoreCommandTests {
    @Test func aKilledImportLeavesTheDatabaseBeforeOrAfterIt() throws {
        _ = try CLI.run("init", "--db", db)
        // 60 masks of 1 MB: long enough an import that a kill lands inside its transaction.
        var lines = ["path\tfold\trun\tlambda1\tlambda2"]
        for index in 0..<60 {
            var file = FixtureFile()
            file.shape = [64, 64, 64]
            file.encode(float32: (0..<(64 * 64 * 64)).map { Float(($0 * (index + 3)) % 97) / 96 })
            file.sformCode = 4
            file.srows = [[3, 0, 0, -90], [0, 3, 0, -126], [0, 0, 3, -72]]
            try Data(file.bytes).write(to: folder.appendingPathComponent("k\(index).nii"))
            lines.append("k\(index).nii\t\(index % 5)\t\(index / 5)\t0.1\t0.01")
        }
        let manifest = folder.appendingPathComponent("kill.tsv")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: manifest)
        let journal = db + "-journal"  // exists while a transaction has written to the file
        func size(_ path: String) -> Int { (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0 }
        var rolledBack = 0, explained = 0
        // Killed as soon as the transaction has begun, and once masks' pages are in the file
        // itself, the old ones in the journal: a journal SQLite must roll back.
        for pagesWritten in [false, true] {
            let before = size(db)
            let process = Process()
            process.executableURL = CLI.productsDirectory.appendingPathComponent("maskdb")
            process.arguments = ["import", "masks", manifest.path, "--db", db]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(60)
            while process.isRunning && Date() < deadline
                && !(pagesWritten ? size(db) > before + (3 << 20) : FileManager.default.fileExists(atPath: journal))
            {
                usleep(500)
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            // A read-only query cannot roll the journal back: it says what to do instead.
            let query = try CLI.run("sql", "SELECT count(*) AS n FROM masks", "--db", db, "--format", "csv")
            if query.status != 0 {
                #expect(query.stderr.contains("has an unfinished write (a hot journal, \(journal)) that a read-only open cannot roll back; someone who can write to \(folder.path) and the file must run 'maskdb verify --db \(db)'"))
                explained += 1
            }
            // As it says: verify opens it for writing, which rolls the import back.
            #expect(try CLI.run("verify", "--db", db).status == 0)
            let count = try CLI.run("sql", "SELECT count(*) AS n FROM masks", "--db", db, "--format", "csv").stdout
            #expect(count == "n\n0\n" || count == "n\n60\n", "after a kill (pages in the file: \(pagesWritten)): \(count)")
            if process.terminationReason == .uncaughtSignal && count == "n\n0\n" { rolledBack += 1 }
        }
        #expect(explained >= 1, "no kill landed after pages reached the file")
        #expect(rolledBack >= 1, "no kill landed inside the import's transaction")
        // Running it again finishes it.
        #expect(try CLI.run("import", "masks", manifest.path, "--db", db).status == 0)
        #expect(try CLI.run("sql", "SELECT count(*) AS n FROM masks", "--db", db, "--format", "csv").stdout == "n\n60\n")
    }
}
