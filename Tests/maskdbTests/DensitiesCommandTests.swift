import Foundation
import NIfTIFixtures
import Testing

/// `maskdb densities`, run as a user runs it, on a tiny atlas given as files.
struct DensitiesCommandTests {
    let scratch: ScratchFolder

    init() throws { scratch = try ScratchFolder() }

    /// A 2 x 2 x 1 atlas (labels 5 5 / 9 0) with a table naming 5, 9 and an absent 11,
    /// and a keep mask 0.2 0.6 / 1 0.5 on the same grid.
    func files() throws -> (mask: String, atlas: String, labels: String) {
        var atlas = FixtureFile()
        atlas.shape = [2, 2, 1]
        atlas.encode([UInt8(5), 5, 9, 0], code: 2)
        var mask = FixtureFile()
        mask.shape = [2, 2, 1]
        mask.encode(float32: [0.2, 0.6, 1, 0.5])
        let labels = Array("roi_value\troi_name\n0\tBackground\n5\tFive, with comma\n9\tNine\n11\tEleven\n".utf8)
        return (try mask.write(named: "mask.nii.gz", in: scratch, gzip: true), try atlas.write(named: "atlas.nii", in: scratch),
                try scratch.write(labels, named: "labels.tsv"))
    }

    @Test func csvHasOneRowPerRegionInLabelOrder() throws {
        let f = try files()
        let result = try CLI.run("densities", f.mask, "--atlas", f.atlas, "--labels", f.labels, "--format", "csv")
        #expect(result.status == 0)
        // Region 5: 1 - 0.2 and 1 - 0.6 (float32) average to 0.6; region 9: 1 - 1 = 0.
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "label,name,density,voxels")
        #expect(lines.count == 4)
        let five = lines[1].split(separator: ",", omittingEmptySubsequences: false)
        #expect(lines[1].hasPrefix("5,\"Five, with comma\","))
        #expect(abs(Double(five[five.count - 2])! - 0.6) < 1e-7)
        #expect(lines[2] == "9,Nine,0,1")
        #expect(lines[3] == "11,Eleven,,0")
    }

    @Test func perturbSemanticsMeasureTheMaskItself() throws {
        let f = try files()
        let result = try CLI.run(
            "densities", f.mask, "--atlas", f.atlas, "--labels", f.labels, "--semantics", "perturb", "--format", "tsv")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines[2] == "9\tNine\t1\t1")
    }

    @Test func builtinAAL2HasItsOneHundredAndTwentyRegions() throws {
        // A keep mask of all ones on the AAL2 grid: every region's density is 0.
        var mask = FixtureFile()
        mask.shape = [121, 145, 121]
        mask.encode(float32: [Float](repeating: 1, count: 121 * 145 * 121))
        mask.sformCode = 4
        mask.srows = [[1.5, 0, 0, -90], [0, 1.5, 0, -126], [0, 0, 1.5, -72]]
        let path = try mask.write(named: "ones.nii", in: scratch)
        let result = try CLI.run("densities", path, "--format", "csv")
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 121)
        #expect(lines[1] == "2001,Precentral_L,0,8281")
    }

    @Test func badMaskValuesAreOneLineNamingTheFile() throws {
        var mask = FixtureFile()
        mask.shape = [2, 2, 1]
        mask.encode(float32: [0.2, 1.5, .nan, 0.5])
        let path = try mask.write(named: "bad.nii", in: scratch)
        let f = try files()
        let result = try CLI.run("densities", path, "--atlas", f.atlas, "--labels", f.labels)
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "maskdb: error: \(path): 1 voxel is NaN; a mask must hold numbers in [0, 1]\n")
    }

    @Test func outOfRangeValuesSuggestClamping() throws {
        var mask = FixtureFile()
        mask.shape = [2, 2, 1]
        mask.encode(float32: [0.2, 1.5, 1, 0.5])
        let path = try mask.write(named: "high.nii", in: scratch)
        let f = try files()
        let refused = try CLI.run("densities", path, "--atlas", f.atlas, "--labels", f.labels)
        #expect(refused.status == 1)
        #expect(refused.stderr == "maskdb: error: \(path): 1 voxel is outside [0, 1] (value 1.5); a mask must hold numbers in [0, 1] (or pass --clamp to clamp them)\n")
        #expect(try CLI.run("densities", path, "--atlas", f.atlas, "--labels", f.labels, "--clamp").status == 0)
    }

    @Test func atlasFileWithoutLabelsIsAUsageError() throws {
        let f = try files()
        let result = try CLI.run("densities", f.mask, "--atlas", f.atlas)
        #expect(result.status == 2)
        #expect(result.stderr.contains("needs '--labels LABELS.tsv'"))
    }
}
