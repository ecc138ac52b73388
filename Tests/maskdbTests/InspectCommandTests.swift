import Foundation
import NIfTIFixtures
import Testing

/// `maskdb inspect`, run as a user runs it.
struct InspectCommandTests {
    let scratch: ScratchFolder

    init() throws { scratch = try ScratchFolder() }

    func fixture(gzip: Bool = true) throws -> String {
        try FixtureFile.scaledBigEndian.write(named: "scaled_be.nii.gz", in: scratch, gzip: gzip)
    }

    @Test func jsonHasTheDocumentedKeysAndValues() throws {
        let path = try fixture()
        let result = try CLI.run("inspect", path, "--format", "json")
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["path"] as? String == path)
        #expect(object["format"] as? String == "nifti1")
        #expect(object["dims"] as? [Int] == [3, 2, 2])
        #expect(object["datatype"] as? String == "int16")
        #expect(object["byte_order"] as? String == "big")
        #expect(object["affine_source"] as? String == "sform")
        #expect(object["affine"] as? [[Double]] == [[1.5, 0, 0, -90], [0, 1.5, 0, -126], [0, 0, 1.5, -72], [0, 0, 0, 1]])
        #expect(object["scl_slope"] as? Double == 0.5)
        #expect(object["scl_inter"] as? Double == 1)
        #expect((object["pixdim"] as? [Double])?.prefix(4) == [1, 1.5, 1.5, 1.5])
        // Scaled values 0.5 * raw + 1: -1, 1, 2, 3, ..., 11; sum = -1 + (1 + ... + 11) = 65.
        #expect(object["min"] as? Double == -1)
        #expect(object["max"] as? Double == 11)
        #expect(object["sum"] as? Double == 65)
        #expect(object["mean"] as? Double == 65.0 / 12)
        #expect(object["nan_count"] as? Int == 0)
    }

    @Test func jsonIsStillTheOldFlagAndNotBothAtOnce() throws {
        let path = try fixture()
        let flag = try CLI.run("inspect", path, "--json"), option = try CLI.run("inspect", path, "--format", "json")
        #expect(flag.status == 0 && flag.stdout == option.stdout)
        #expect(try CLI.run("inspect", path, "--json", "--format", "json").status == 0)
        let both = try CLI.run("inspect", path, "--json", "--format", "text")
        #expect(both.status == 2 && both.stderr.hasPrefix("maskdb: error: '--json' is '--format json'; give one of them\nUsage: maskdb inspect "))
        let help = try CLI.run("inspect", "--help")
        #expect(help.stdout.contains("--format") && !help.stdout.contains("--json"))
    }

    @Test func readableSummaryNamesTheEssentials() throws {
        let result = try CLI.run("inspect", try fixture(gzip: false))
        #expect(result.status == 0)
        #expect(result.stdout.contains("NIfTI-1, big-endian"))
        #expect(result.stdout.contains("3 x 2 x 2 (12 voxels)"))
        #expect(result.stdout.contains("value = 0.5 x raw + 1"))
        #expect(result.stdout.contains("from the sform"))
    }

    @Test func brokenFileIsOneLineOnStderrAndExitOne() throws {
        let path = try scratch.write(Array("not an image".utf8) + [UInt8](repeating: 0, count: 400), named: "broken.nii")
        let result = try CLI.run("inspect", path, "--format", "json")
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "maskdb: error: \(path): not a NIfTI-1 or NIfTI-2 file (sizeof_hdr is neither 348 nor 540)\n")
    }

    @Test func usageErrorsExitTwo() throws {
        let result = try CLI.run("inspect")
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("maskdb: error: Missing expected argument '<file>'\n"))
        let unknown = try CLI.run("inspekt", "x.nii")
        #expect(unknown.status == 2 && unknown.stderr.hasPrefix("maskdb: error: "))
    }

    @Test func helpExitsZeroOnStdout() throws {
        let result = try CLI.run("--help")
        #expect(result.status == 0)
        #expect(result.stdout.contains("inspect"))
        #expect(result.stdout.contains("densities"))
    }
}
