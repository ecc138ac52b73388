import Foundation
import NIfTIFixtures
import Testing

@testable import NIfTI

/// The float32 writer, read back by the reader and checked against the spec's offsets.
struct WriterTests {
    let scratch: ScratchFolder

    init() throws { scratch = try ScratchFolder() }

    /// About 20 degrees about x. (A rotation near 180 degrees, as an x flip with an
    /// oblique grid gives, has a float32 quaternion accurate to 1e-3 only, in nibabel too.)
    let oblique = Affine(rows: [[1.5, 0, 0, -90], [0, 1.4, -0.5, -126], [0, 0.5, 1.4, -72]])

    @Test(arguments: [true, false])
    func roundTrip(compressed: Bool) throws {
        let values: [Float] = (0..<60).map { Float($0) / 59 }
        let path = scratch.path(compressed ? "w.nii.gz" : "w.nii")
        try NIfTIWriter.writeFloat32(voxels: values, shape: [5, 4, 3], affine: oblique, to: path)
        let image = try NIfTIImage(contentsOf: path)
        #expect(image.shape == [5, 4, 3])
        #expect(image.layout.datatype == .float32)
        #expect(image.floatVoxels() == values)
        #expect(image.affineSource == .sform)
        #expect(image.affine.isClose(to: oblique, tolerance: 1e-5))
        // The qform describes the same grid (this affine has no shear).
        #expect(try image.header.qform(path: path).isClose(to: oblique, tolerance: 1e-5))
        #expect(image.header.qformCode == 2 && image.header.sformCode == 2)
        let raw = try FileBytes.read(path)
        #expect((raw.starts(with: [0x1F, 0x8B])) == compressed)
    }

    @Test func headerFieldsSitAtTheSpecOffsets() throws {
        let bytes = NIfTIWriter.float32Bytes(voxels: [0.5], shape: [1, 1, 1], affine: oblique, compressed: false)
        func int16(_ o: Int) -> Int16 { Int16(bytes[o]) | Int16(bytes[o + 1]) << 8 }
        func float(_ o: Int) -> Float {
            Float(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[o + $1]) << (8 * $1) })
        }
        #expect(bytes.count == 356)
        #expect(bytes[0..<4] == [92, 1, 0, 0])  // sizeof_hdr 348, little-endian
        #expect(int16(40) == 3 && int16(42) == 1)
        #expect(int16(70) == 16 && int16(72) == 32)
        #expect(float(108) == 352)
        #expect(float(280) == 1.5 && float(292) == -90)
        #expect(Array(bytes[344..<348]) == Array("n+1\0".utf8))
        #expect(float(352) == 0.5)
    }

    @Test func radiologicalMNIGridHasAnExactQform() throws {
        // FSL's 2 mm MNI grid: x flipped, so qfac = -1 and the rotation is 180° about y.
        let mni = Affine(rows: [[-2, 0, 0, 90], [0, 2, 0, -126], [0, 0, 2, -72]])
        let bytes = NIfTIWriter.float32Bytes(voxels: [0], shape: [1, 1, 1], affine: mni)
        let image = try NIfTIImage(fileBytes: bytes, path: "mni.nii.gz")
        #expect(try image.header.qform(path: "mni.nii.gz") == mni)
        #expect(image.header.pixdim[0] == -1)
    }

    @Test func writingIntoAMissingFolderSaysWhy() {
        #expect(throws: NIfTIError.unwritable(path: "/no/such/folder/m.nii.gz", reason: "no such file or directory")) {
            try NIfTIWriter.writeFloat32(voxels: [0], shape: [1], affine: .identity, to: "/no/such/folder/m.nii.gz")
        }
    }
}
