import Foundation
import Testing

@testable import Import
@testable import SQLiteStore

/// Manifests are read a chunk at a time: a record over the limit is refused by its line
/// and length, never shown; a cell that is not text (a NUL byte, invalid UTF-8) rejects its
/// row, never cut nor repaired; line numbering and CSV quoting are as before.
struct ManifestBoundsTests {
    let options = ImportOptions(command: "maskdb import masks (test)")
    let header = "path\tfold\trun\tlambda1\tlambda2"

    @Test func aManifestLineOverTheLimitIsRefusedByItsLineAndLengthUnshown() throws {
        let fixture = try StudyFixture()
        try fixture.mask("ok.nii.gz", seed: 5)
        let long = String(repeating: "x", count: 2 << 20)
        for (lines, line) in [([header, "ok.nii.gz\t0\t0\t0.1\t0", long], 3), ([long, "ok.nii.gz\t0\t0\t0.1\t0"], 1)] {
            let manifest = try fixture.manifest("m.tsv", lines)
            let error = #expect(throws: ImportError.self) { try SQLiteStore.inMemory().importMasks(manifestPath: manifest, options: options) }
            #expect(error == .badManifest(path: manifest, detail: "line \(line) holds 2097152 bytes, more than a manifest record may (1048576); is this a manifest?"))
        }
        // A quoted CSV cell spanning lines counts from the line its record starts on.
        let csv = try fixture.manifest("m.csv", ["path,fold,run,lambda1,lambda2", "\"a\n" + long + "\",0,0,0.1,0"])
        #expect(throws: ImportError.badManifest(path: csv, detail: "line 2 holds 2097166 bytes, more than a manifest record may (1048576); is this a manifest?")) {
            try SQLiteStore.inMemory().importMasks(manifestPath: csv, options: options)
        }
    }

    @Test func aLongHeaderIsShownCut() throws {
        let fixture = try StudyFixture()
        let columns = (0..<2000).map { "annotation.c\($0)" }.joined(separator: "\t")
        let manifest = try fixture.manifest("m.tsv", ["path\tfold\trun\tlambda1\t" + columns])
        let error = #expect(throws: ImportError.self) { try Manifest(path: manifest, required: ["path", "lambda2"]) }
        let detail = "\(error.map(String.init(describing:)) ?? "")"
        #expect(detail.hasSuffix("missing required column lambda2; 'lambda1' looks like a misspelling of lambda2; the header has path, fold, run, lambda1, annotation.c0, annotation.c1, annotation.c2, annotatio… (\(("path, fold, run, lambda1, " + columns.replacingOccurrences(of: "\t", with: ", ")).utf8.count) bytes)"))
    }

    @Test func aNULByteOrInvalidUTF8InACellRejectsItsRowAndNothingIsCut() throws {
        let fixture = try StudyFixture()
        try fixture.mask("m.nii.gz", seed: 5)
        let url = fixture.folder.appendingPathComponent("m.tsv")
        // The cell `m.nii.gz\0evil` (once imported as m.nii.gz) and a lone 0xFF byte.
        var raw = Array((header + "\tsubjects\n").utf8)
        raw += Array("m.nii.gz".utf8) + [0] + Array("evil\t0\t0\t0.1\t0\tAD\n".utf8)
        raw += Array("m.nii.gz\t0\t0\t0.1\t0\t".utf8) + [0xFF, 0x41] + [0x0A]
        raw += Array("m.nii.gz\t0\t1\t0.1\t0\tAD\n".utf8)
        try Data(raw).write(to: url)
        let summary = try SQLiteStore.inMemory().importMasks(manifestPath: url.path, options: options)
        #expect(summary.added == 1)
        #expect(summary.rejected.map { "\($0.line): \($0.message ?? "")" } == [
            "2: column 'path' holds a NUL byte (byte 9); a manifest cell is UTF-8 text",
            "3: column 'subjects' is not valid UTF-8; a manifest cell is UTF-8 text",
        ])
        // In the header, it refuses the manifest.
        try Data(Array("path\tfo".utf8) + [0] + Array("ld\trun\tlambda1\tlambda2\n".utf8)).write(to: url)
        #expect(throws: ImportError.badManifest(path: url.path, detail: "line 1, column 2 of the header holds a NUL byte (byte 3); a manifest is UTF-8 text")) {
            try SQLiteStore.inMemory().importMasks(manifestPath: url.path, options: options)
        }
    }

    @Test func lineBreaksOfEveryKindNumberRowsAsBefore() throws {
        let fixture = try StudyFixture()
        try fixture.mask("m.nii.gz", seed: 5)
        let url = fixture.folder.appendingPathComponent("m.csv")
        try Data("\u{FEFF}path,fold,run,lambda1,lambda2\r\nm.nii.gz,0,0,0.1,0\r\"m.nii.gz\",0,1,0.1,\"0\"\n\n# note\nm.nii.gz,x,1,0.1,0\n".utf8).write(to: url)
        let summary = try SQLiteStore.inMemory().importMasks(manifestPath: url.path, options: options)
        #expect(summary.added == 2 && summary.rejected.map(\.line) == [6])
    }
}
