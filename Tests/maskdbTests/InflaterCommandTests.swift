import Foundation
import NIfTI
import NIfTIFixtures
import Testing

/// Which inflater `maskdb` uses, and that zlib alone (`MASKDB_INFLATER=zlib`, or a
/// libdeflate.so.0 that does not load, as on a machine without it) reads files as libdeflate does.
struct InflaterCommandTests {
    static let zlibOnly = [Inflater.environmentVariable: "zlib"]

    @Test func versionNamesTheInflater() throws {
        let result = try CLI.run("--version")
        #expect(result.status == 0)
        #expect(result.stdout == "0.1.0 (gzip: \(Inflater.current))\n")
        if case .libdeflate = Inflater.current {
            #expect(result.stdout == "0.1.0 (gzip: libdeflate from libdeflate.so.0)\n")
        }
        let zlib = try CLI.run(environment: Self.zlibOnly, "--version")
        #expect(zlib.status == 0)
        #expect(zlib.stdout.wholeMatch(of: /0\.1\.0 \(gzip: zlib [0-9.]+; MASKDB_INFLATER=zlib\)\n/) != nil, "\(zlib.stdout)")
    }

    /// Where the dynamic loader finds a libdeflate.so.0 that cannot load (an empty file): as on
    /// a machine with a broken library, zlib does the work.
    static func brokenLibrary(in scratch: ScratchFolder) throws -> [String: String] {
        let folder = scratch.path("broken lib")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        _ = try scratch.write([], named: "broken lib/libdeflate.so.0")
        let searched = ProcessInfo.processInfo.environment["LD_LIBRARY_PATH"].map { ":" + $0 } ?? ""
        return ["LD_LIBRARY_PATH": folder + searched]
    }

    @Test func aLibraryThatDoesNotLoadLeavesTheWorkToZlibAndIsNamed() throws {
        let scratch = try ScratchFolder()
        let result = try CLI.run(["--version"], environment: try Self.brokenLibrary(in: scratch))
        #expect(result.status == 0)
        #expect(result.stdout.wholeMatch(of: /0\.1\.0 \(gzip: zlib [0-9.]+; libdeflate\.so\.0 did not load \(.+: file too short\)\)\n/) != nil, "\(result.stdout)")
        #expect(result.stdout.contains(scratch.path("broken lib/libdeflate.so.0")))
    }

    @Test func zlibAloneMeasuresAMultiMemberPaddedFileAlike() throws {
        // A keep mask on the AAL2 grid (the built-in atlas, itself a .nii.gz, is inflated
        // too), as two gzip members and trailing padding; measured with libdeflate where it
        // loads, with zlib forced, and with a libdeflate.so.0 that does not load.
        let scratch = try ScratchFolder()
        let broken = try Self.brokenLibrary(in: scratch)
        var mask = FixtureFile()
        mask.shape = [121, 145, 121]
        mask.encode(float32: (0..<121 * 145 * 121).map { Float($0 % 1000) / 1000 })
        mask.sformCode = 4
        mask.srows = [[1.5, 0, 0, -90], [0, 1.5, 0, -126], [0, 0, 1.5, -72]]
        let bytes = mask.bytes
        let split = bytes.count / 3
        let path = try scratch.write(
            StoredGzip.member(Array(bytes[..<split])) + StoredGzip.member(Array(bytes[split...])) + [0, 0, 0, 0], named: "m.nii.gz")
        let usual = try CLI.run("densities", path, "--format", "csv")
        let zlib = try CLI.run(["densities", path, "--format", "csv"], environment: Self.zlibOnly)
        #expect(usual.status == 0 && zlib.status == 0, "\(usual.stderr)\(zlib.stderr)")
        #expect(usual.stdout.split(separator: "\n").count == 121)
        #expect(zlib.stdout == usual.stdout)
        let withoutLibrary = try CLI.run(["densities", path, "--format", "csv"], environment: broken)
        #expect(withoutLibrary.status == 0 && withoutLibrary.stdout == usual.stdout, "\(withoutLibrary.stderr)")
        // A damaged file gets the same one line either way (zlib explains both).
        let cut = try scratch.write(Array(StoredGzip.member(bytes).dropLast(8)), named: "cut.nii.gz")
        let usualCut = try CLI.run("densities", cut)
        let zlibCut = try CLI.run(["densities", cut], environment: Self.zlibOnly)
        #expect(usualCut.status == 1 && usualCut.stderr == "maskdb: error: \(cut): corrupt gzip stream (the stream ends without its gzip trailer); was the file fully written?\n")
        #expect(zlibCut.status == usualCut.status && zlibCut.stderr == usualCut.stderr)
    }
}
