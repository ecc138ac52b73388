import NIfTIFixtures
import Testing

@testable import NIfTI

/// The affine as nibabel's `get_best_affine` chooses and computes it.
struct AffineTests {
    func read(_ configure: (inout FixtureFile) -> Void) throws -> NIfTIImage {
        var file = FixtureFile()
        file.shape = [7, 6, 5]
        file.encode(float32: [Float](repeating: 0, count: 210))
        configure(&file)
        return try NIfTIImage(fileBytes: file.bytes, path: "a.nii")
    }

    @Test func sformWinsWhenItsCodeIsSet() throws {
        let image = try read {
            $0.sformCode = 4
            $0.qformCode = 1
            $0.srows = [[1.5, 0, 0, -90], [0, 1.5, 0, -126], [0, 0, 1.5, -72]]
        }
        #expect(image.affineSource == .sform)
        #expect(image.affine == Affine(rows: [[1.5, 0, 0, -90], [0, 1.5, 0, -126], [0, 0, 1.5, -72]]))
    }

    @Test func qformWithARotationAndQfac() throws {
        // 90 degrees about z: a = cos 45°, d = sin 45°; R = [[0,-1,0],[1,0,0],[0,0,1]].
        // Voxel sizes 2, 3, 4 with qfac -1 flip the third column: by hand,
        // affine = [[0,-3,0,10],[2,0,0,20],[0,0,-4,30]].
        let image = try read {
            $0.qformCode = 1
            $0.quaternion = (0, 0, (0.5).squareRoot())
            $0.qoffset = (10, 20, 30)
            $0.pixdim = [-1, 2, 3, 4, 1, 1, 1, 1]
        }
        #expect(image.affineSource == .qform)
        let expected = Affine(rows: [[0, -3, 0, 10], [2, 0, 0, 20], [0, 0, -4, 30]])
        #expect(image.affine.isClose(to: expected, tolerance: 1e-6))
    }

    @Test func anAffineWithNaNIsRefused() throws {
        #expect(throws: NIfTIError.nonFiniteAffine(path: "a.nii", source: "sform")) {
            try read {
                $0.sformCode = 2
                $0.srows = [[1, 0, 0, .nan], [0, 1, 0, 0], [0, 0, 1, 0]]
            }
        }
    }

    @Test func aQuaternionLongerThanOneIsRefused() throws {
        #expect(throws: NIfTIError.badQuaternion(path: "a.nii", detail: "quatern_b/c/d (1.0, 1.0, 0.0) have a norm above 1")) {
            try read {
                $0.qformCode = 1
                $0.quaternion = (1, 1, 0)
            }
        }
    }

    @Test(arguments: [0.0, 1.0, 3.0])
    func qfacOtherThanMinusOneIsOne(qfac: Double) throws {
        let image = try read {
            $0.qformCode = 1
            $0.pixdim = [qfac, 2, 3, 4, 1, 1, 1, 1]
        }
        #expect(image.affine.isClose(to: Affine.scaling(2, 3, 4, origin: (0, 0, 0)), tolerance: 1e-12))
    }

    @Test func pixdimFallbackCentresTheImageAndFlipsX() throws {
        // nibabel's shape_zoom_affine: diag(-2, 3, 4), origin -(n - 1) / 2 * zoom:
        // x: -(6 / 2) * -2 = 6, y: -(5 / 2) * 3 = -7.5, z: -(4 / 2) * 4 = -8.
        let image = try read { $0.pixdim = [1, 2, 3, 4, 1, 1, 1, 1] }
        #expect(image.affineSource == .pixdim)
        #expect(image.affine == Affine.scaling(-2, 3, 4, origin: (6, -7.5, -8)))
    }

    @Test func quaternionOfAnAffineRebuildsIt() throws {
        // An oblique, left-handed affine: 30 degrees about x, sizes 1.5, 2, 2.5, x flipped.
        let (c, s) = (0.75.squareRoot(), 0.5)
        let affine = Affine(rows: [
            [-1.5, 0, 0, 90], [0, 2 * c, -2.5 * s, -126], [0, 2 * s, 2.5 * c, -72],
        ])
        let form = affine.quaternionForm
        #expect(form.qfac == -1)
        let rebuilt = try #require(Affine.fromQuaternion(form))
        #expect(rebuilt.isClose(to: affine, tolerance: 1e-12))
    }

    @Test func inverseUndoesTheAffine() throws {
        let affine = Affine(rows: [[0, -3, 0, 10], [2, 0, 0, 20], [0, 0, -4, 30]])
        let inverse = try #require(affine.inverted())
        #expect(inverse.multiplied(by: affine).isClose(to: .identity, tolerance: 1e-12))
        #expect(Affine(rows: [[0, 0, 0, 1], [0, 1, 0, 0], [0, 0, 1, 0]]).inverted() == nil)
    }
}
