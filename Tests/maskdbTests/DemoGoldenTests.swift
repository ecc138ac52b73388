import Foundation
import NIfTIFixtures
import Testing

/// `maskdb demo` must reproduce the committed `Reports/demo/` byte for byte.
struct DemoGoldenTests {
    static let committed = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Reports/demo")

    @Test func badOutputPlacesAreRefusedBeforeTheWork() throws {
        let scratch = try ScratchFolder(prefix: "maskdb-demo-bad")
        let file = try scratch.write([1], named: "a file")
        let out = try CLI.run("demo", "--out", file)
        #expect(out.status == 1 && out.stderr == "maskdb: error: \(file): a file, not a folder; give --out a folder\n")
        let db = try CLI.run("demo", "--db", scratch.url.path, "--out", scratch.path("report"))
        #expect(db.status == 1 && db.stderr == "maskdb: error: \(scratch.url.path): a folder, not a database file; give --db a file's path\n")
    }

    @Test func freshDemoReproducesTheCommittedReport() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("maskdb-demo-golden-\(UUID().uuidString)")
        let db = out.appendingPathComponent("demo.sqlite").path
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: out) }
        let result = try CLI.run("demo", "--out", out.path, "--db", db)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("wrote \(out.path)/report.md (synthetic demo study: 25 models, 36 masks, 225 evaluations)"))
        let expected = try FileManager.default.contentsOfDirectory(atPath: Self.committed.path).sorted()
        let written = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0 != "demo.sqlite" && !$0.hasPrefix("demo.sqlite-") }.sorted()
        #expect(written == expected)
        for name in expected {
            let want = try Data(contentsOf: Self.committed.appendingPathComponent(name))
            let got = try Data(contentsOf: out.appendingPathComponent(name))
            #expect(got == want, "\(name) differs from Reports/demo/\(name); if the change is intended, run 'swift run -c release maskdb demo' and commit Reports/demo")
        }
        #expect(expected.contains("report.md") && expected.count == 13)
        // The report shows every figure it writes.
        let report = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        for figure in expected where figure.hasSuffix(".svg") || figure.hasSuffix(".png") {
            #expect(report.contains("](\(figure))"), "report.md does not show \(figure)")
        }
    }
}
