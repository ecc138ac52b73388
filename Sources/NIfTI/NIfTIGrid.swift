import Foundation

/// A voxel grid: three sizes and the voxel-to-world affine. A reference image's header
/// gives one (`NIfTIGrid(fileBytes:path:)`) for maps whose own headers lie about their
/// space: ClinicaDL saves its attribution maps with an identity affine and a leading
/// channel axis, `(1, X, Y, Z)`, on the grid of the CAPS images the network read.
public struct NIfTIGrid: Sendable, Equatable {
    /// The grid's three sizes.
    public var shape: [Int]
    /// Its voxel-to-world affine (nibabel's best affine of the reference image).
    public var affine: Affine

    /// A grid.
    public init(shape: [Int], affine: Affine) {
        precondition(shape.count == 3, "a grid has three sizes")
        self.shape = shape
        self.affine = affine
    }

    /// The grid of the image whose file bytes are `fileBytes`, read from its header alone
    /// (a `.nii.gz` is inflated only as far as its header): its first three sizes and its
    /// affine. An image of several volumes gives its volumes' grid.
    public init(fileBytes: [UInt8], path: String) throws(NIfTIError) {
        let headerBytes: [UInt8]
        if Gzip.isGzip(fileBytes) {
            do {
                headerBytes = try Gzip.inflatePrefix(fileBytes, count: NIfTIHeader.largestHeaderSize)
            } catch {
                switch error {
                case .corrupt(let detail): throw .corruptGzip(path: path, detail: detail)
                case .truncated, .longer: throw .corruptGzip(path: path, detail: "the stream ends inside the header")
                }
            }
        } else {
            headerBytes = fileBytes
        }
        let header = try NIfTIHeader(parsing: headerBytes, path: path)
        _ = try header.validatedLayout(path: path)
        self.init(shape: Array((header.shape + [1, 1]).prefix(3)), affine: try header.bestAffine(path: path).affine)
    }

    /// The sizes as messages write them: `169 x 208 x 179`.
    public var shapeText: String { shape.map(String.init).joined(separator: " x ") }
}

extension NIfTIImage {
    /// This image measured on `grid` instead of its own header's: the same voxels, in file
    /// order, with the grid's sizes and affine. A leading axis of length 1 (ClinicaDL's
    /// channel axis, `(1, X, Y, Z)`) is dropped first, and trailing axes of length 1; then
    /// the sizes must be the grid's, or the image is refused naming both files and both
    /// shapes. An image that still has several volumes is left as it is, for the density
    /// calculator to refuse as any image of several volumes. `gridPath` names the grid's file.
    public func placed(on grid: NIfTIGrid, gridPath: String) throws(NIfTIError) -> NIfTIImage {
        var sizes = shape
        if sizes.count == 4 && sizes[0] == 1 { sizes.removeFirst() }
        while sizes.count > 3 && sizes.last == 1 { sizes.removeLast() }
        if sizes.count > 3 { return self }
        sizes = Array((sizes + [1, 1]).prefix(3))
        guard sizes == grid.shape else {
            throw .gridMismatch(path: path, shape: shape, grid: gridPath, gridShape: grid.shape)
        }
        var header = self.header
        header.dim = [3] + sizes + [1, 1, 1, 1]
        return NIfTIImage(path: path, header: header, layout: layout, affine: grid.affine, affineSource: affineSource, storage: storage)
    }
}
