import NIfTIFixtures
import Testing

@testable import NIfTI

/// `scl_slope` / `scl_inter` as nibabel applies them.
struct ScalingTests {
    func image(slope: Double, inter: Double, format: FixtureFile.Format = .nifti1) throws -> NIfTIImage {
        var file = FixtureFile()
        file.format = format
        file.shape = [4]
        file.encode([Int16(-2), 0, 10, 300], code: 4)
        file.slope = slope
        file.inter = inter
        return try NIfTIImage(fileBytes: file.bytes, path: "scaled.nii")
    }

    @Test(arguments: [FixtureFile.Format.nifti1, .nifti2])
    func slopeAndInterceptApply(format: FixtureFile.Format) throws {
        // 0.5 * raw - 3, by hand.
        #expect(try image(slope: 0.5, inter: -3, format: format).doubleVoxels() == [-4, -3, 2, 147])
    }

    @Test(arguments: [0.0, .nan, .infinity])
    func zeroOrNonFiniteSlopeMeansUnscaled(slope: Double) throws {
        // The intercept is ignored too, as in nibabel.
        #expect(try image(slope: slope, inter: 7).doubleVoxels() == [-2, 0, 10, 300])
    }

    @Test func nonFiniteInterceptWithValidSlopeIsRefused() {
        #expect(throws: NIfTIError.badScaling(path: "scaled.nii", detail: "scl_slope is 2.0 but scl_inter is nan")) {
            try image(slope: 2, inter: .nan)
        }
    }

    @Test func scaledFloat32IsComputedInDoublePrecision() throws {
        var file = FixtureFile()
        file.shape = [1]
        file.encode([UInt8(255)], code: 2)
        file.slope = Double(Float(1.0 / 255.0))
        let image = try NIfTIImage(fileBytes: file.bytes, path: "u8.nii")
        #expect(image.doubleVoxels() == [255 * Double(Float(1.0 / 255.0))])
    }
}
