import Foundation

/// The qform's parameters: a rotation as the quaternion's (b, c, d), an offset,
/// voxel sizes and qfac (the sign of the third axis).
public struct QuaternionForm: Equatable, Sendable {
    /// The quaternion's b, c, d (a follows from the unit norm).
    public var b, c, d: Double
    /// The translation (mm).
    public var offset: (x: Double, y: Double, z: Double)
    /// The voxel sizes (mm), all positive.
    public var voxelSizes: (x: Double, y: Double, z: Double)
    /// 1, or -1 when the third axis is flipped (`pixdim[0]`).
    public var qfac: Double

    /// The parameters of a qform.
    public init(b: Double, c: Double, d: Double, offset: (x: Double, y: Double, z: Double),
                voxelSizes: (x: Double, y: Double, z: Double), qfac: Double) {
        self.b = b; self.c = c; self.d = d
        self.offset = offset; self.voxelSizes = voxelSizes; self.qfac = qfac
    }

    /// Equal when every parameter is.
    public static func == (l: QuaternionForm, r: QuaternionForm) -> Bool {
        l.b == r.b && l.c == r.c && l.d == r.d && l.offset == r.offset
            && l.voxelSizes == r.voxelSizes && l.qfac == r.qfac
    }
}

extension Affine {
    /// The qform affine as nibabel builds it: `a` from the unit-norm condition
    /// (a slightly negative `a²` within float32 rounding is taken as 0), qfac applied
    /// to the third voxel size. Returns nil when (b, c, d) is not part of a unit quaternion.
    public static func fromQuaternion(_ q: QuaternionForm) -> Affine? {
        let (b, c, d) = (q.b, q.c, q.d)
        var a2 = 1 - (b * b + c * c + d * d)
        if a2 < 0 {
            guard a2 >= -3 * Double(Float.ulpOfOne) else { return nil }
            a2 = 0
        }
        let a = a2.squareRoot()
        // Rotation matrix of the quaternion (a, b, c, d), exactly as nibabel's quat2mat.
        let s = 2 / (a * a + b * b + c * c + d * d)
        let (x, y, z) = (b * s, c * s, d * s)
        let (wx, wy, wz) = (a * x, a * y, a * z)
        let (xx, xy, xz) = (b * x, b * y, b * z)
        let (yy, yz, zz) = (c * y, c * z, d * z)
        let r: [[Double]] = [
            [1 - (yy + zz), xy - wz, xz + wy],
            [xy + wz, 1 - (xx + zz), yz - wx],
            [xz - wy, yz + wx, 1 - (xx + yy)],
        ]
        let scale = [q.voxelSizes.x, q.voxelSizes.y, q.voxelSizes.z * q.qfac]
        let offset = [q.offset.x, q.offset.y, q.offset.z]
        var rows: [[Double]] = []
        for i in 0..<3 {
            rows.append([r[i][0] * scale[0], r[i][1] * scale[1], r[i][2] * scale[2], offset[i]])
        }
        return Affine(rows: rows)
    }

    /// The qform closest to this affine, as the NIfTI reference library's
    /// `nifti_mat44_to_quatern` computes it: the rotation is the orthogonal matrix
    /// nearest the normalized 3 x 3 part (polar decomposition), shears are dropped.
    public var quaternionForm: QuaternionForm {
        var m = (0..<3).map { r in (0..<3).map { self[r, $0] } }
        var sizes = [0.0, 0.0, 0.0]
        for c in 0..<3 {
            var length = (0..<3).reduce(0) { $0 + m[$1][c] * m[$1][c] }.squareRoot()
            if length == 0 {
                for r in 0..<3 { m[r][c] = r == c ? 1 : 0 }
                length = 1
            }
            sizes[c] = length
            for r in 0..<3 { m[r][c] /= length }
        }
        var p = Self.nearestOrthogonal(m)
        let det = p[0][0] * (p[1][1] * p[2][2] - p[1][2] * p[2][1])
            - p[0][1] * (p[1][0] * p[2][2] - p[1][2] * p[2][0])
            + p[0][2] * (p[1][0] * p[2][1] - p[1][1] * p[2][0])
        let qfac: Double = det > 0 ? 1 : -1
        if det <= 0 { for r in 0..<3 { p[r][2] = -p[r][2] } }

        var (a, b, c, d) = (0.0, 0.0, 0.0, 0.0)
        let trace = p[0][0] + p[1][1] + p[2][2] + 1
        if trace > 0.5 {
            a = 0.5 * trace.squareRoot()
            b = 0.25 * (p[2][1] - p[1][2]) / a
            c = 0.25 * (p[0][2] - p[2][0]) / a
            d = 0.25 * (p[1][0] - p[0][1]) / a
        } else {
            let xd = 1 + p[0][0] - (p[1][1] + p[2][2])
            let yd = 1 + p[1][1] - (p[0][0] + p[2][2])
            let zd = 1 + p[2][2] - (p[0][0] + p[1][1])
            if xd > 1 {
                b = 0.5 * xd.squareRoot()
                c = 0.25 * (p[0][1] + p[1][0]) / b
                d = 0.25 * (p[0][2] + p[2][0]) / b
                a = 0.25 * (p[2][1] - p[1][2]) / b
            } else if yd > 1 {
                c = 0.5 * yd.squareRoot()
                b = 0.25 * (p[0][1] + p[1][0]) / c
                d = 0.25 * (p[1][2] + p[2][1]) / c
                a = 0.25 * (p[0][2] - p[2][0]) / c
            } else {
                d = 0.5 * zd.squareRoot()
                b = 0.25 * (p[0][2] + p[2][0]) / d
                c = 0.25 * (p[1][2] + p[2][1]) / d
                a = 0.25 * (p[1][0] - p[0][1]) / d
            }
            if a < 0 { (b, c, d) = (-b, -c, -d) }
        }
        return QuaternionForm(
            b: b, c: c, d: d,
            offset: (self[0, 3], self[1, 3], self[2, 3]),
            voxelSizes: (sizes[0], sizes[1], sizes[2]), qfac: qfac)
    }

    /// The orthogonal matrix nearest `m` (Newton iteration of the polar decomposition).
    private static func nearestOrthogonal(_ m: [[Double]]) -> [[Double]] {
        var x = m
        for _ in 0..<100 {
            guard let inverse = invert3(x) else { return x }
            var next = x
            var change = 0.0
            for r in 0..<3 {
                for c in 0..<3 {
                    next[r][c] = 0.5 * (x[r][c] + inverse[c][r])
                    change = max(change, abs(next[r][c] - x[r][c]))
                }
            }
            x = next
            if change < 1e-15 { break }
        }
        return x
    }

    private static func invert3(_ m: [[Double]]) -> [[Double]]? {
        let full = Affine(rows: m.map { $0 + [0] })
        return full.inverted().map { inv in (0..<3).map { r in (0..<3).map { inv[r, $0] } } }
    }
}
