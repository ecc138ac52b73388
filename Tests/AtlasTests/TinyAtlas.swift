import NIfTIFixtures

@testable import Atlas
@testable import NIfTI

/// A 4 x 3 x 2 atlas on a 1 mm grid at the origin, labels written out by hand:
///
///     z = 0           z = 1
///     10 10 20 20     30 30  0  0
///     10 10 20 20     30 30  0  0
///      0  0 20 20     30 30  0  0
///
/// The table also names label 40, which no voxel carries.
enum TinyAtlas {
    static let labels: [Int16] = [
        10, 10, 20, 20, 10, 10, 20, 20, 0, 0, 20, 20,
        30, 30, 0, 0, 30, 30, 0, 0, 30, 30, 0, 0,
    ]
    static let table = "roi_value\troi_name\n0\tBackground\n10\tTen_L\n20\tTwenty_R\n30\tThirty_L\n40\tForty_R\n"

    static func image(shape: [Int] = [4, 3, 2], labels: [Int16] = labels, srows: [[Double]] = FixtureFile().srows) throws -> NIfTIImage {
        var file = FixtureFile()
        file.shape = shape
        file.encode(labels, code: 4)
        file.sformCode = 1
        file.srows = srows
        return try NIfTIImage(fileBytes: file.bytes, path: "tiny_atlas.nii")
    }

    static func atlas() throws -> Atlas {
        try Atlas(name: "tiny", image: image(), regions: LabelTable.parse(table, path: "tiny.tsv"))
    }

    /// A float32 mask with the given values and sform rows.
    static func mask(_ values: [Float], shape: [Int] = [4, 3, 2], srows: [[Double]] = FixtureFile().srows) throws -> NIfTIImage {
        var file = FixtureFile()
        file.shape = shape
        file.encode(float32: values)
        file.sformCode = 1
        file.srows = srows
        return try NIfTIImage(fileBytes: file.bytes, path: "mask.nii")
    }
}
