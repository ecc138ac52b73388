import Foundation
import GRDB
import NIfTIFixtures
import Testing

/// Faults, as a user meets them: damaged bytes are refused with nothing written.
extension StoreCommandTests {
    @Test func damagedBytesAreRefusedAndNothingIsWritten() throws {
        #expect(try CLI.run("import", "masks", try study(), "--db", db).status == 0)
        // Flip one bit of mask 1's stored file.
        let queue = try DatabaseQueue(path: db)
        let recorded = try queue.write { db -> String in
            let sha256 = try String.fetchOne(db, sql: "SELECT nifti_sha256 FROM masks WHERE id = 1")!
            var bytes = [UInt8](try Data.fetchOne(db, sql: "SELECT bytes FROM blobs WHERE sha256 = ?", arguments: [sha256])!)
            bytes[bytes.count / 2] ^= 0x01
            try db.execute(sql: "UPDATE blobs SET bytes = ? WHERE sha256 = ?", arguments: [Data(bytes), sha256])
            return sha256
        }
        try queue.close()
        let output = scratch.path("exported.nii.gz")
        let exported = try CLI.run("export", "1", "-o", output, "--db", db)
        #expect(exported.status == 1)
        #expect(exported.stderr.hasPrefix("maskdb: error: mask 1: its stored file's sha256 is "))
        #expect(exported.stderr.hasSuffix(" not the recorded \(recorded.prefix(12))…; the database is damaged: run maskdb verify\n"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("exported") } == [])
        let piped = try CLI.run("export", "1", "-o", "-", "--db", db)
        #expect(piped.status == 1 && piped.bytes.isEmpty)
        // A picture of it is refused too; another mask is fine.
        let plot = try CLI.run("plot", "mask", "1", "-o", scratch.path("mask.png"), "--db", db)
        #expect(plot.status == 1 && plot.stderr.contains("mask 1: its stored file's sha256"))
        #expect(!FileManager.default.fileExists(atPath: scratch.path("mask.png")))
        #expect(try CLI.run("export", "2", "-o", output, "--db", db).status == 0)
        let verify = try CLI.run("verify", "--db", db)
        #expect(verify.status == 1 && verify.stderr.contains("blob \(recorded): its bytes no longer hash to their sha256 (altered)"))
    }

    @Test func aKilledReportLeavesNoPartialFilesAndTheNextReplacesTheOld() throws {
        #expect(try CLI.run("import", "masks", try study(), "--db", db).status == 0)
        let out = scratch.path("report")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        _ = try scratch.write(Array("old".utf8), named: "report/report.md")
        _ = try scratch.write(Array("old".utf8), named: "report/extra.csv")
        try FileManager.default.createDirectory(atPath: scratch.path(".report.report-tmp-2147483646"), withIntermediateDirectories: true)
        let report = try CLI.run("report", "--db", db, "--out", out)
        #expect(report.status == 0, "\(report.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: out)
        #expect(names.contains("report.md") && !names.contains("extra.csv") && !names.contains { $0.contains(".partial-") })
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(".report") } == [])
    }

    @Test func initOfANewFileSaysItInitializedIt() throws {
        #expect(try CLI.run("init", "--db", db).stdout == "initialized \(db) (atlases: aal2)\n")
        #expect(try CLI.run("init", "--db", db).stdout == "already initialized: \(db) (atlases: aal2)\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["study.sqlite"])
    }

    @Test func verifyNamesADamagedPage() throws {
        #expect(try CLI.run("import", "masks", try study(), "--db", db).status == 0)
        let queue = try DatabaseQueue(path: db)
        let root = try queue.read { try Int.fetchOne($0, sql: "SELECT rootpage FROM sqlite_master WHERE name = 'studies'") ?? 0 }
        try queue.close()
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: db))
        try handle.seek(toOffset: UInt64((root - 1) * 65536))
        try handle.write(contentsOf: Data(repeating: 0xFF, count: 16))
        try handle.close()
        let verify = try CLI.run("verify", "--db", db)
        #expect(verify.status == 1)
        #expect(verify.stderr.contains("maskdb: error: \(db): integrity: page \(root) (the root of table studies): "), "\(verify.stderr)")
        // Any other command says the file is damaged and what to run.
        let masks = try CLI.run("masks", "--db", db)
        #expect(masks.status == 1 && masks.stderr.hasSuffix("run 'maskdb verify' to see where\n"), "\(masks.stderr)")
    }
}
