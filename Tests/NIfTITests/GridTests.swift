import NIfTI
import Testing

/// A reference image's grid, and an image placed on it (ClinicaDL's maps: identity affine, a channel axis).
struct GridTests {
    static let affine = Affine(rows: [[-8, 0, 0, 80], [0, 8, 0, -112], [0, 0, 8, -70], [0, 0, 0, 1]])

    @Test func aGridIsReadFromAHeaderAloneAndPlacesAnImageWithAChannelAxis() throws {
        let reference = NIfTIWriter.float32Bytes(voxels: [Float](repeating: 0, count: 24), shape: [2, 3, 4], affine: Self.affine)
        let grid = try NIfTIGrid(fileBytes: Array(reference.prefix(reference.count)), path: "ref.nii.gz")
        #expect(grid.shape == [2, 3, 4] && grid.affine == Self.affine && grid.shapeText == "2 x 3 x 4")
        let map = try NIfTIImage(
            fileBytes: NIfTIWriter.float32Bytes(voxels: (0..<24).map(Float.init), shape: [1, 2, 3, 4], affine: .identity), path: "map.nii.gz")
        let placed = try map.placed(on: grid, gridPath: "ref.nii.gz")
        #expect(placed.shape == [2, 3, 4] && placed.affine == Self.affine && placed.floatVoxels() == (0..<24).map(Float.init))
    }

    @Test func otherSizesAreRefusedNamingBothFilesAndShapes() throws {
        let grid = NIfTIGrid(shape: [2, 3, 5], affine: Self.affine)
        let map = try NIfTIImage(
            fileBytes: NIfTIWriter.float32Bytes(voxels: [Float](repeating: 1, count: 24), shape: [1, 2, 3, 4], affine: .identity), path: "map.nii.gz")
        #expect(throws: NIfTIError.gridMismatch(path: "map.nii.gz", shape: [1, 2, 3, 4], grid: "ref.nii.gz", gridShape: [2, 3, 5])) {
            try map.placed(on: grid, gridPath: "ref.nii.gz")
        }
        #expect(NIfTIError.gridMismatch(path: "map.nii.gz", shape: [1, 2, 3, 4], grid: "ref.nii.gz", gridShape: [2, 3, 5]).description
            == "map.nii.gz: its shape 1 x 2 x 3 x 4 (2 x 3 x 4 without its channel axis) is not the 2 x 3 x 5 of its grid ref.nii.gz; give the grid of the images the maps were computed on")
    }

    @Test func onlyALeadingAxisOfLengthOneIsDropped() throws {
        let grid = NIfTIGrid(shape: [2, 3, 4], affine: Self.affine)
        // Several volumes stay several volumes, for the density calculator to refuse.
        let volumes = try NIfTIImage(
            fileBytes: NIfTIWriter.float32Bytes(voxels: [Float](repeating: 1, count: 48), shape: [2, 2, 3, 4], affine: .identity), path: "v.nii.gz")
        #expect(try volumes.placed(on: grid, gridPath: "ref").shape == [2, 2, 3, 4])
        // A trailing axis of length 1 is no volume.
        let trailing = try NIfTIImage(
            fileBytes: NIfTIWriter.float32Bytes(voxels: [Float](repeating: 1, count: 24), shape: [2, 3, 4, 1], affine: .identity), path: "t.nii.gz")
        #expect(try trailing.placed(on: grid, gridPath: "ref").shape == [2, 3, 4])
    }
}
