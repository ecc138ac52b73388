import Testing

@testable import Figures

/// Slices land where the orientation says, in viridis, with outlines between regions.
struct MontageTests {
    /// A 4 x 3 x 2 grid: p = voxel index / 23; regions: x < 2 is region 0, else region 1.
    static func panel(flipX: Bool = false) -> MontagePanel {
        let count = 24
        return MontagePanel(
            label: "t", perturbation: (0..<count).map { Float($0) / 23 }, shape: [4, 3, 2],
            regions: (0..<count).map { Int32($0 % 4 < 2 ? 0 : 1) }, flipX: flipX)
    }

    @Test func peakIsTheHighestVoxel() {
        #expect(Self.panel().peak == (3, 2, 1))
    }

    @Test func axialSliceHasAnteriorUpAndRightOnTheRight() {
        let image = MaskMontage.render(Self.panel(), planes: [.axial], at: (0, 0, 1))
        // The slice starts at (gap, gap + 2 glyph rows + 12) and each voxel is 2 x 2 pixels.
        let (x0, y0) = (MaskMontage.gap, MaskMontage.gap + RasterImage.glyphHeight * 2 + 12)
        // Top-left pixel: column 0 (x = 0), top row = the most anterior y (2), z = 1:
        // voxel 0 + 4 * (2 + 3 * 1) = 20, p = 20 / 23.
        #expect(image[x0, y0] == Colormap.viridis.color(Double(Float(20) / 23)))
        // Column 1 borders region 1 to its right: drawn as an outline.
        #expect(image[x0 + 2, y0] == MaskMontage.outline)
        // Bottom-right pixel: x = 3, y = 0, z = 1: voxel 3 + 4 * 3 = 15.
        #expect(image[x0 + 7, y0 + 5] == Colormap.viridis.color(Double(Float(15) / 23)))
        let flipped = MaskMontage.render(Self.panel(flipX: true), planes: [.axial], at: (0, 0, 1))
        #expect(flipped[x0, y0] == Colormap.viridis.color(Double(Float(23) / 23)))
    }

    @Test(arguments: [0, 1, 2, 5, 8])
    func rowsEndAboveTheFootnotes(rows count: Int) throws {
        // Fully perturbed panels (viridis 1 everywhere, one region: no outlines); the colour
        // bar, also viridis 1 at its top, lies right of the panels.
        let full = MontagePanel(label: "t", perturbation: .init(repeating: 1, count: 64), shape: [4, 4, 4], regions: .init(repeating: 0, count: 64), flipX: false)
        let image = MaskMontage.render(title: "m", rows: (0..<count).map { ("row \($0)", [full]) })
        let yellow = Colormap.viridis.color(1)
        let panelColumns = MaskMontage.gap..<(MaskMontage.gap + 8)
        let lowest = (0..<image.height).last { y in panelColumns.contains { image[$0, y] == yellow } }
        let footnotes = image.height - 2 * (RasterImage.glyphHeight * 2 + 8)
        if count == 0 { #expect(lowest == nil) } else { #expect(try #require(lowest) < footnotes) }
        // Every row's panels are drawn: one yellow band per slice plane per row.
        let bands = (1..<image.height).filter { y in image[MaskMontage.gap, y] == yellow && image[MaskMontage.gap, y - 1] != yellow }
        #expect(bands.count == count * SlicePlane.allCases.count)
    }

    @Test func montageEncodesAsAPNGOfItsSize() {
        let image = MaskMontage.render(title: "m", rows: [("row", [Self.panel(), Self.panel()])])
        let png = PNGEncoder.encode(image)
        #expect(Array(png[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        func big(_ offset: Int) -> Int { png[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) } }
        #expect(big(16) == image.width && big(20) == image.height)
    }
}
