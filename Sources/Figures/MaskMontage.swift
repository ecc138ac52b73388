/// One mask to draw: its perturbation amount per voxel and the atlas on its grid; or an
/// attribution map's values, signed.
public struct MontagePanel: Sendable {
    /// Shown above the mask (e.g. "fold 2").
    public var label: String
    /// Per voxel, the perturbation amount in [0, 1] (1 - m for keep masks), x fastest; for
    /// a signed panel, the map's value over its largest |a|, in [-1, 1].
    public var perturbation: [Float]
    /// True for an attribution map: drawn in the diverging `blueWhiteRed` (white at 0),
    /// not in viridis, since its sign matters and its scale is its own.
    public var signed = false
    /// The grid's three sizes.
    public var shape: [Int]
    /// Per voxel, the atlas region's index (-1 outside every region), for the outlines.
    public var regions: [Int32]
    /// True when the grid's x axis runs towards the subject's left, so that drawing
    /// flips it to keep the subject's right on the image's right.
    public var flipX: Bool

    /// A panel.
    public init(label: String, perturbation: [Float], shape: [Int], regions: [Int32], flipX: Bool) {
        self.label = label
        self.perturbation = perturbation
        self.shape = shape
        self.regions = regions
        self.flipX = flipX
    }

    /// An attribution map's panel: its values scaled by their largest magnitude (all zeros stay zeros).
    public static func signed(label: String, values: [Float], shape: [Int], regions: [Int32], flipX: Bool) -> MontagePanel {
        let largest = values.reduce(Float(0)) { max($0, abs($1)) }
        var panel = MontagePanel(
            label: label, perturbation: largest > 0 ? values.map { $0 / largest } : values, shape: shape, regions: regions, flipX: flipX)
        panel.signed = true
        return panel
    }

    /// The voxel of highest perturbation, or of highest |a| (the first, in file order, when several tie).
    public var peak: (Int, Int, Int) {
        var best = 0
        for index in perturbation.indices where abs(perturbation[index]) > abs(perturbation[best]) { best = index }
        return (best % shape[0], (best / shape[0]) % shape[1], best / (shape[0] * shape[1]))
    }
}

/// Which plane a slice shows.
public enum SlicePlane: String, Sendable, CaseIterable {
    case axial, coronal, sagittal
}

/// Masks drawn as slices through their point of highest perturbation, in viridis over the
/// atlas's region outlines in grey (the poster's Figure 2), with a colour bar; attribution
/// maps through their point of highest |a|, in blue-white-red, with a bar of their own.
public enum MaskMontage {
    static let scale = 2
    static let gap = 12
    static let outline = RGB(150, 150, 150)
    static let outside = RGB(16, 16, 16)

    /// Rows of masks under their titles; each mask a column of the given slices.
    public static func render(title: String, rows: [(title: String, panels: [MontagePanel])], planes: [SlicePlane] = SlicePlane.allCases) -> RasterImage {
        let textScale = 2
        let line = RasterImage.glyphHeight * textScale + 8
        let columnWidths = rows.map { $0.panels.map { panelWidth($0, planes) } }
        let rowHeights = rows.map { row in line + (row.panels.map { panelHeight($0, planes) }.max() ?? 0) + line }
        let contentWidth = columnWidths.map { $0.reduce(0, +) + gap * max(0, $0.count - 1) }.max() ?? 0
        let barWidth = 150
        let width = gap + contentWidth + gap + barWidth
        let rowGap = line / 2
        let height = line * 2 + rowHeights.reduce(0, +) + rowGap * max(0, rows.count - 1) + line * 3
        var image = RasterImage(width: width, height: height, background: .white)
        image.drawText(title, x: gap, y: 8, color: .black, scale: textScale)
        var y = line * 2
        for (r, row) in rows.enumerated() {
            image.drawText(row.title, x: gap, y: y, color: .black, scale: textScale)
            var x = gap
            for (c, panel) in row.panels.enumerated() {
                image.drawText(panel.label, x: x, y: y + line, color: .black, scale: textScale)
                draw(panel, planes: planes, into: &image, x: x, y: y + line * 2)
                x += columnWidths[r][c] + gap
            }
            y += rowHeights[r] + rowGap
        }
        let panels = rows.flatMap(\.panels)
        drawColorBars(
            signed: panels.contains { $0.signed }, perturbation: panels.isEmpty || panels.contains { !$0.signed }, into: &image,
            x: gap + contentWidth + gap, y: line * 2 + line, height: min(400, max(1, height - line * 6)))
        let note = RGB(60, 60, 60)
        image.drawText("Neurological orientation (subject's right on the right); sagittal: anterior on the right.",
                       x: gap, y: height - line * 2, color: note, scale: textScale)
        let through = !panels.contains { $0.signed }
            ? "Slices through each mask's point of highest perturbation."
            : panels.allSatisfy(\.signed)
                ? "Slices through each map's point of highest |a|; each map scaled to its own largest |a|."
                : "Slices through each mask's point of highest perturbation, each map's of highest |a| (scaled to it)."
        image.drawText(through, x: gap, y: height - line, color: note, scale: textScale)
        return image
    }

    /// One mask's slices side by side through `at` (default: its peak).
    public static func render(_ panel: MontagePanel, planes: [SlicePlane], at: (Int, Int, Int)? = nil) -> RasterImage {
        let point = at ?? panel.peak
        let sizes = planes.map { sliceSize(panel.shape, $0) }
        let width = gap + sizes.map { $0.0 * scale + gap }.reduce(0, +) + 110
        let height = gap * 2 + RasterImage.glyphHeight * 2 + 8 + max(260, (sizes.map(\.1).max() ?? 0) * scale) + 30
        var image = RasterImage(width: width, height: height, background: .white)
        image.drawText(panel.label, x: gap, y: gap, color: .black, scale: 2)
        var x = gap
        let top = gap + RasterImage.glyphHeight * 2 + 12
        for (plane, size) in zip(planes, sizes) {
            drawSlice(panel, plane, through: point, into: &image, x: x, y: top)
            x += size.0 * scale + gap
        }
        drawColorBars(signed: panel.signed, perturbation: !panel.signed, into: &image, x: x, y: top, height: 240)
        image.drawText("Neurological orientation; voxel (\(point.0), \(point.1), \(point.2))", x: gap, y: height - 20, color: RGB(60, 60, 60))
        return image
    }

    /// Width and height in voxels of a slice.
    static func sliceSize(_ shape: [Int], _ plane: SlicePlane) -> (Int, Int) {
        switch plane {
        case .axial: (shape[0], shape[1])
        case .coronal: (shape[0], shape[2])
        case .sagittal: (shape[1], shape[2])
        }
    }

    private static func panelWidth(_ panel: MontagePanel, _ planes: [SlicePlane]) -> Int {
        max(planes.map { sliceSize(panel.shape, $0).0 * scale }.max() ?? 0, RasterImage.textWidth(panel.label, scale: 2))
    }

    private static func panelHeight(_ panel: MontagePanel, _ planes: [SlicePlane]) -> Int {
        planes.map { sliceSize(panel.shape, $0).1 * scale + gap }.reduce(0, +)
    }

    private static func draw(_ panel: MontagePanel, planes: [SlicePlane], into image: inout RasterImage, x: Int, y: Int) {
        var top = y
        let point = panel.peak
        for plane in planes {
            drawSlice(panel, plane, through: point, into: &image, x: x, y: top)
            top += sliceSize(panel.shape, plane).1 * scale + gap
        }
    }

    /// Draws one slice: rows run from superior (or anterior, for axial) at the top.
    static func drawSlice(_ panel: MontagePanel, _ plane: SlicePlane, through point: (Int, Int, Int), into image: inout RasterImage, x: Int, y: Int) {
        let (nx, ny) = (panel.shape[0], panel.shape[1])
        let (width, height) = sliceSize(panel.shape, plane)
        func voxel(_ column: Int, _ row: Int) -> Int {
            let flipped = panel.flipX ? width - 1 - column : column
            switch plane {
            case .axial: return flipped + nx * ((ny - 1 - row) + ny * point.2)
            case .coronal: return flipped + nx * (point.1 + ny * (height - 1 - row))
            case .sagittal: return point.0 + nx * (column + ny * (height - 1 - row))
            }
        }
        for row in 0..<height {
            for column in 0..<width {
                let index = voxel(column, row)
                let region = panel.regions[index]
                let p = Double(panel.perturbation[index])
                var color = region < 0 && abs(p) < 0.02 ? outside : panel.signed ? Colormap.blueWhiteRed.color(0.5 + p / 2) : Colormap.viridis.color(p)
                // An outline where the region changes to the right or below.
                if (column + 1 < width && panel.regions[voxel(column + 1, row)] != region)
                    || (row + 1 < height && panel.regions[voxel(column, row + 1)] != region)
                {
                    color = outline
                }
                image.fill(x: x + column * scale, y: y + row * scale, width: scale, height: scale, color: color)
            }
        }
    }

    /// The bars a figure's panels need: viridis for masks, blue-white-red for maps; both, one
    /// below the other, when it shows both.
    static func drawColorBars(signed: Bool, perturbation: Bool, into image: inout RasterImage, x: Int, y: Int, height: Int) {
        let both = signed && perturbation
        let barHeight = both ? max(1, height / 2 - RasterImage.glyphHeight * 4) : height
        if perturbation { drawColorBar(into: &image, x: x, y: y, height: barHeight) }
        if signed { drawSignedBar(into: &image, x: x, y: both ? y + height / 2 + RasterImage.glyphHeight * 2 : y, height: barHeight) }
    }

    /// A vertical blue-white-red bar from +max|a| (top) to -max|a| (bottom), labelled.
    static func drawSignedBar(into image: inout RasterImage, x: Int, y: Int, height: Int) {
        drawBar(Colormap.blueWhiteRed, labels: ("+max", "0", "-max"), caption: "a / max|a|", into: &image, x: x, y: y, height: height)
    }

    /// A vertical viridis bar from 1 (top) to 0 (bottom), labelled.
    static func drawColorBar(into image: inout RasterImage, x: Int, y: Int, height: Int) {
        drawBar(Colormap.viridis, labels: ("1", "0.5", "0"), caption: "perturbation", into: &image, x: x, y: y, height: height)
    }

    /// A vertical bar of `colormap` from its top (1) to its bottom (0), its top, middle and
    /// bottom labelled, `caption` below.
    private static func drawBar(
        _ colormap: Colormap, labels: (top: String, middle: String, bottom: String), caption: String,
        into image: inout RasterImage, x: Int, y: Int, height: Int
    ) {
        for row in 0..<height {
            image.fill(x: x, y: y + row, width: 22, height: 1, color: colormap.color(1 - Double(row) / Double(max(1, height - 1))))
        }
        image.drawText(labels.top, x: x + 28, y: y, color: .black, scale: 2)
        image.drawText(labels.middle, x: x + 28, y: y + height / 2 - RasterImage.glyphHeight, color: .black, scale: 2)
        image.drawText(labels.bottom, x: x + 28, y: y + height - RasterImage.glyphHeight * 2, color: .black, scale: 2)
        image.drawText(caption, x: x - 20, y: y + height + 10, color: .black, scale: 2)
    }
}
