/// Which header fields an image's affine came from.
public enum AffineSource: String, Sendable {
    case sform, qform, pixdim
}

extension NIfTIHeader {
    /// The affine nibabel's `get_best_affine` returns: the sform when `sform_code > 0`,
    /// else the qform when `qform_code > 0`, else one built from the voxel sizes.
    /// An affine with NaN or infinite entries (nibabel would pass it on) is refused here,
    /// where the file is named, rather than failing later as a grid that cannot be inverted.
    public func bestAffine(path: String) throws(NIfTIError) -> (affine: Affine, source: AffineSource) {
        let best: (affine: Affine, source: AffineSource) =
            sformCode > 0 ? (sform, .sform) : qformCode > 0 ? (try qform(path: path), .qform) : (pixdimAffine, .pixdim)
        guard best.affine.entries.allSatisfy(\.isFinite) else {
            throw .nonFiniteAffine(path: path, source: best.source.rawValue)
        }
        return best
    }

    /// The sform rows.
    public var sform: Affine { Affine(rows: [srowX, srowY, srowZ]) }

    /// The qform. nibabel's loader sets a qfac other than -1 to 1 and takes voxel
    /// sizes as absolute values; so does maskdb.
    public func qform(path: String) throws(NIfTIError) -> Affine {
        let form = QuaternionForm(
            b: quaternB, c: quaternC, d: quaternD,
            offset: (qoffsetX, qoffsetY, qoffsetZ),
            voxelSizes: (abs(pixdim[1]), abs(pixdim[2]), abs(pixdim[3])),
            qfac: pixdim[0] == -1 ? -1 : 1)
        guard let affine = Affine.fromQuaternion(form) else {
            throw .badQuaternion(path: path, detail: "quatern_b/c/d (\(quaternB), \(quaternC), \(quaternD)) have a norm above 1")
        }
        return affine
    }

    /// The Analyze-style affine nibabel falls back to: voxel sizes on the diagonal,
    /// x flipped, the image centred on the origin.
    public var pixdimAffine: Affine {
        var sizes = [1.0, 1.0, 1.0], counts = [1.0, 1.0, 1.0]
        for axis in 0..<min(3, dimensionCount) {
            sizes[axis] = abs(pixdim[axis + 1])
            counts[axis] = Double(dim[axis + 1])
        }
        sizes[0] = -sizes[0]
        let origin = (0..<3).map { -(counts[$0] - 1) / 2 * sizes[$0] }
        return Affine.scaling(sizes[0], sizes[1], sizes[2], origin: (origin[0], origin[1], origin[2]))
    }
}
