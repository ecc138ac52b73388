import Foundation
import Atlas

/// Where each atlas region lies, for drawing synthetic masks on the atlas's grid.
struct Anatomy {
    let shape: [Int]
    /// Each region's centroid in voxel coordinates, by name.
    let centroids: [String: (Double, Double, Double)]
    /// Voxel size in mm (the grid is isotropic for AAL2).
    let voxelSize: Double

    init(atlas: Atlas) {
        shape = atlas.grid.shape
        voxelSize = atlas.grid.affine.voxelSizes.0
        var sums = [(Double, Double, Double, Int)](repeating: (0, 0, 0, 0), count: atlas.regions.count)
        var voxel = 0
        for z in 0..<shape[2] {
            for y in 0..<shape[1] {
                for x in 0..<shape[0] {
                    let region = Int(atlas.grid.regionIndex[voxel])
                    if region >= 0 {
                        sums[region].0 += Double(x)
                        sums[region].1 += Double(y)
                        sums[region].2 += Double(z)
                        sums[region].3 += 1
                    }
                    voxel += 1
                }
            }
        }
        var centroids: [String: (Double, Double, Double)] = [:]
        for (region, sum) in zip(atlas.regions, sums) where sum.3 > 0 {
            let n = Double(sum.3)
            centroids[region.name] = (sum.0 / n, sum.1 / n, sum.2 / n)
        }
        self.centroids = centroids
    }

    /// A keep mask: 1 everywhere except Gaussian perturbations of the given weights at the
    /// regions' centroids, `spread` mm wide; overlapping perturbations combine as
    /// independent ones do: m = Π (1 - w G).
    func keepMask(weights: [String: Double], spread: Double) -> [Float] {
        var mask = [Float](repeating: 1, count: shape[0] * shape[1] * shape[2])
        let sigma = spread / voxelSize
        let reach = Int((3 * sigma).rounded(.up))
        for region in weights.keys.sorted() {
            guard let weight = weights[region], weight > 0, let (cx, cy, cz) = centroids[region] else { continue }
            let (ix, iy, iz) = (Int(cx.rounded()), Int(cy.rounded()), Int(cz.rounded()))
            for z in max(0, iz - reach)...min(shape[2] - 1, iz + reach) {
                for y in max(0, iy - reach)...min(shape[1] - 1, iy + reach) {
                    for x in max(0, ix - reach)...min(shape[0] - 1, ix + reach) {
                        let d2 = (Double(x) - cx) * (Double(x) - cx) + (Double(y) - cy) * (Double(y) - cy)
                            + (Double(z) - cz) * (Double(z) - cz)
                        let g = weight * exp(-d2 / (2 * sigma * sigma))
                        let index = x + shape[0] * (y + shape[1] * z)
                        mask[index] *= Float(1 - g)
                    }
                }
            }
        }
        return mask
    }
}
