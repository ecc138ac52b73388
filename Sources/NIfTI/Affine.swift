import Foundation

/// A 4 x 4 voxel-to-world matrix, last row `0 0 0 1`.
public struct Affine: Equatable, Sendable {
    /// The 16 entries in row-major order.
    public private(set) var entries: [Double]

    /// An affine from 16 row-major entries, or from 12 (the last row is implied).
    public init(rowMajor values: [Double]) {
        precondition(values.count == 16 || values.count == 12, "an affine has 12 or 16 entries")
        entries = values.count == 16 ? values : values + [0, 0, 0, 1]
    }

    /// An affine from its rows (3 or 4 rows of 4 numbers).
    public init(rows: [[Double]]) {
        self.init(rowMajor: rows.flatMap { $0 })
    }

    /// The identity.
    public static let identity = Affine(rowMajor: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1])

    /// A diagonal scaling with a translation, the common shape of atlas grids.
    public static func scaling(_ x: Double, _ y: Double, _ z: Double, origin: (Double, Double, Double)) -> Affine {
        Affine(rowMajor: [x, 0, 0, origin.0, 0, y, 0, origin.1, 0, 0, z, origin.2])
    }

    /// Entry at `row`, `column` (both 0-based).
    public subscript(row: Int, column: Int) -> Double {
        get { entries[row * 4 + column] }
        set { entries[row * 4 + column] = newValue }
    }

    /// The four rows.
    public var rows: [[Double]] { (0..<4).map { Array(entries[$0 * 4..<$0 * 4 + 4]) } }

    /// `self * other`: apply `other` first.
    public func multiplied(by other: Affine) -> Affine {
        var product = [Double](repeating: 0, count: 16)
        for r in 0..<4 {
            for c in 0..<4 {
                product[r * 4 + c] = (0..<4).reduce(0) { $0 + self[r, $1] * other[$1, c] }
            }
        }
        return Affine(rowMajor: product)
    }

    /// The inverse, or nil when the 3 x 3 part is singular.
    public func inverted() -> Affine? {
        let a = self[0, 0], b = self[0, 1], c = self[0, 2]
        let d = self[1, 0], e = self[1, 1], f = self[1, 2]
        let g = self[2, 0], h = self[2, 1], i = self[2, 2]
        let det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
        guard det != 0, det.isFinite else { return nil }
        let inv: [Double] = [
            (e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det,
            (f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det,
            (d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det,
        ]
        let t = (self[0, 3], self[1, 3], self[2, 3])
        var out = [Double](repeating: 0, count: 16)
        for r in 0..<3 {
            out[r * 4] = inv[r * 3]
            out[r * 4 + 1] = inv[r * 3 + 1]
            out[r * 4 + 2] = inv[r * 3 + 2]
            out[r * 4 + 3] = -(inv[r * 3] * t.0 + inv[r * 3 + 1] * t.1 + inv[r * 3 + 2] * t.2)
        }
        out[15] = 1
        return Affine(rowMajor: out)
    }

    /// Maps a point (voxel indices to world millimetres, for a voxel-to-world affine).
    public func apply(_ x: Double, _ y: Double, _ z: Double) -> (Double, Double, Double) {
        (
            self[0, 0] * x + self[0, 1] * y + self[0, 2] * z + self[0, 3],
            self[1, 0] * x + self[1, 1] * y + self[1, 2] * z + self[1, 3],
            self[2, 0] * x + self[2, 1] * y + self[2, 2] * z + self[2, 3]
        )
    }

    /// True when every entry differs from `other`'s by at most `tolerance`.
    public func isClose(to other: Affine, tolerance: Double = 1e-4) -> Bool {
        zip(entries, other.entries).allSatisfy { abs($0 - $1) <= tolerance }
    }

    /// Voxel sizes: the lengths of the first three columns.
    public var voxelSizes: (Double, Double, Double) {
        func length(_ c: Int) -> Double { (0..<3).reduce(0) { $0 + self[$1, c] * self[$1, c] }.squareRoot() }
        return (length(0), length(1), length(2))
    }
}
