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

/// A text a picture draws: where its top-left corner is and at what scale, so that tests
/// can check it lies inside the picture.
struct PlacedText: Equatable {
    var text: String
    var x: Int, y: Int, scale: Int

    /// Its width and height in pixels.
    var width: Int { RasterImage.textWidth(text, scale: scale) }
    var height: Int { RasterImage.glyphHeight * scale }
}

/// Masks drawn as slices through their point of highest perturbation, in viridis over the
/// atlas's region outlines in grey (the poster's Figure 2), with a colour bar; attribution
/// maps through their point of highest |a|, in blue-white-red, with a bar of their own.
/// The pictures are as wide as their texts need (measured with the bitmap font), footers
/// wrapped to the picture's width.
public enum MaskMontage {
    static let scale = 2
    static let gap = 12
    static let outline = RGB(150, 150, 150)
    static let outside = RGB(16, 16, 16)

    /// Rows of masks under their titles; each mask a column of the given slices; `notes`
    /// (e.g. how many masks were left out) first among the footer's lines.
    public static func render(
        title: String, rows: [(title: String, panels: [MontagePanel])], planes: [SlicePlane] = SlicePlane.allCases, notes: [String] = []
    ) -> RasterImage {
        layout(title: title, rows: rows, planes: planes, notes: notes).image
    }

    /// The montage and every text it draws.
    static func layout(
        title: String, rows: [(title: String, panels: [MontagePanel])], planes: [SlicePlane], notes: [String]
    ) -> (image: RasterImage, texts: [PlacedText]) {
        let textScale = 2
        let line = RasterImage.glyphHeight * textScale + 8
        let columnWidths = rows.map { $0.panels.map { panelWidth($0, planes) } }
        let rowHeights = rows.map { row in line + (row.panels.map { panelHeight($0, planes) }.max() ?? 0) + line }
        let contentWidth = columnWidths.map { $0.reduce(0, +) + gap * max(0, $0.count - 1) }.max() ?? 0
        let rowGap = line / 2
        let rowsHeight = rowHeights.reduce(0, +) + rowGap * max(0, rows.count - 1)
        let panels = rows.flatMap(\.panels)
        let signed = panels.contains { $0.signed }, perturbation = panels.isEmpty || panels.contains { !$0.signed }
        // Tall enough for each bar's three labels apart, two bars when it shows both.
        let barTop = line * 3, barsHeight = min(400, max(signed && perturbation ? 220 : 120, rowsHeight - line * 2))
        let barBlock = colorBarsWidth(signed: signed, perturbation: perturbation)
        let headings = ([title] + rows.map(\.title)).map { RasterImage.textWidth($0, scale: textScale) }.max() ?? 0
        let width = max(gap + contentWidth + gap + barBlock + gap, gap + headings + gap, 480)
        let through = !signed
            ? "Slices through each mask's point of highest perturbation."
            : panels.allSatisfy(\.signed)
                ? "Slices through each map's point of highest |a|; each map scaled to its own largest |a|."
                : "Slices through each mask's point of highest perturbation, each map's of highest |a| (scaled to it)."
        let footer = (notes + ["Neurological orientation (subject's right on the right); sagittal: anterior on the right.", through])
            .flatMap { wrapped($0, width: width - 2 * gap, scale: textScale) }
        let bodyBottom = max(line * 2 + rowsHeight, barTop + barsHeight + colorBarCaptionHeight + gap)
        let height = bodyBottom + line / 2 + line * footer.count + gap
        var image = RasterImage(width: width, height: height, background: .white)
        var texts: [PlacedText] = []
        func put(_ text: String, x: Int, y: Int, color: RGB = .black) {
            image.drawText(text, x: x, y: y, color: color, scale: textScale)
            texts.append(PlacedText(text: text, x: x, y: y, scale: textScale))
        }
        put(title, x: gap, y: 8)
        var y = line * 2
        for (r, row) in rows.enumerated() {
            put(row.title, x: gap, y: y)
            var x = gap
            for (c, panel) in row.panels.enumerated() {
                put(panel.label, x: x, y: y + line)
                draw(panel, planes: planes, into: &image, x: x, y: y + line * 2)
                x += columnWidths[r][c] + gap
            }
            y += rowHeights[r] + rowGap
        }
        texts += drawColorBars(signed: signed, perturbation: perturbation, into: &image, x: gap + contentWidth + gap, y: barTop, height: barsHeight)
        for (index, text) in footer.enumerated() {
            put(text, x: gap, y: bodyBottom + line / 2 + line * index, color: index < notes.count ? .black : RGB(60, 60, 60))
        }
        return (image, texts)
    }

    /// One mask's slices side by side through `at` (default: its peak).
    public static func render(_ panel: MontagePanel, planes: [SlicePlane], at: (Int, Int, Int)? = nil) -> RasterImage {
        layout(panel, planes: planes, at: at).image
    }

    /// One mask's picture and every text it draws.
    static func layout(_ panel: MontagePanel, planes: [SlicePlane], at: (Int, Int, Int)? = nil) -> (image: RasterImage, texts: [PlacedText]) {
        let point = at ?? panel.peak
        let sizes = planes.map { sliceSize(panel.shape, $0) }
        let slicesWidth = sizes.map { $0.0 * scale + gap }.reduce(0, +)
        let barBlock = colorBarsWidth(signed: panel.signed, perturbation: !panel.signed)
        let footer = "Neurological orientation; voxel (\(point.0), \(point.1), \(point.2))"
        let width = max(gap + slicesWidth + barBlock + gap, gap + RasterImage.textWidth(panel.label, scale: 2) + gap,
                        gap + RasterImage.textWidth(footer) + gap)
        let top = gap + RasterImage.glyphHeight * 2 + 12
        let barHeight = 240
        let body = max(max(260, (sizes.map(\.1).max() ?? 0) * scale), barHeight + colorBarCaptionHeight)
        let height = top + body + gap + RasterImage.glyphHeight + gap
        var image = RasterImage(width: width, height: height, background: .white)
        var texts = [PlacedText(text: panel.label, x: gap, y: gap, scale: 2)]
        image.drawText(panel.label, x: gap, y: gap, color: .black, scale: 2)
        var x = gap
        for (plane, size) in zip(planes, sizes) {
            drawSlice(panel, plane, through: point, into: &image, x: x, y: top)
            x += size.0 * scale + gap
        }
        texts += drawColorBars(signed: panel.signed, perturbation: !panel.signed, into: &image, x: x, y: top, height: barHeight)
        let footerY = height - gap - RasterImage.glyphHeight
        image.drawText(footer, x: gap, y: footerY, color: RGB(60, 60, 60))
        texts.append(PlacedText(text: footer, x: gap, y: footerY, scale: 1))
        return (image, texts)
    }

    /// `text` broken at spaces into lines at most `width` pixels wide at `scale` (a word
    /// wider than that cut at characters).
    static func wrapped(_ text: String, width: Int, scale: Int) -> [String] {
        let fits = max(1, (width / max(scale, 1) + 1) / BitmapFont.advance)
        var lines: [String] = [], line = ""
        for word in text.split(separator: " ") {
            var word = String(word)
            while word.count > fits {
                if !line.isEmpty { lines.append(line); line = "" }
                lines.append(String(word.prefix(fits)))
                word = String(word.dropFirst(fits))
            }
            if line.isEmpty { line = word } else if line.count + 1 + word.count <= fits { line += " " + word } else {
                lines.append(line)
                line = word
            }
        }
        if !line.isEmpty || lines.isEmpty { lines.append(line) }
        return lines
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

    /// The bars' labels and captions (scale 2).
    static let barLabels = (perturbation: (top: "1", middle: "0.5", bottom: "0", caption: "perturbation"),
                            signed: (top: "+max", middle: "0", bottom: "-max", caption: "a / max|a|"))

    /// Below a bar: its caption's gap and height.
    static let colorBarCaptionHeight = 10 + RasterImage.glyphHeight * 2

    /// The width the bars and their labels take.
    static func colorBarsWidth(signed: Bool, perturbation: Bool) -> Int {
        var sets: [(top: String, middle: String, bottom: String, caption: String)] = []
        if perturbation { sets.append(barLabels.perturbation) }
        if signed { sets.append(barLabels.signed) }
        return sets.map { labels in
            max(28 + [labels.top, labels.middle, labels.bottom].map { RasterImage.textWidth($0, scale: 2) }.max()!,
                RasterImage.textWidth(labels.caption, scale: 2))
        }.max() ?? 0
    }

    /// The bars a figure's panels need: viridis for masks, blue-white-red for maps; both, one
    /// below the other, when it shows both. Returns the texts drawn.
    @discardableResult
    static func drawColorBars(signed: Bool, perturbation: Bool, into image: inout RasterImage, x: Int, y: Int, height: Int) -> [PlacedText] {
        let both = signed && perturbation
        let barHeight = both ? max(1, height / 2 - colorBarCaptionHeight) : height
        var texts: [PlacedText] = []
        if perturbation {
            texts += drawBar(Colormap.viridis, labels: barLabels.perturbation, into: &image, x: x, y: y, height: barHeight)
        }
        if signed {
            texts += drawBar(Colormap.blueWhiteRed, labels: barLabels.signed, into: &image, x: x, y: both ? y + height / 2 + colorBarCaptionHeight / 2 : y, height: barHeight)
        }
        return texts
    }

    /// A vertical bar of `colormap` from its top (1) to its bottom (0), its top, middle and
    /// bottom labelled, its caption below, starting at the bar's left edge.
    private static func drawBar(
        _ colormap: Colormap, labels: (top: String, middle: String, bottom: String, caption: String),
        into image: inout RasterImage, x: Int, y: Int, height: Int
    ) -> [PlacedText] {
        for row in 0..<height {
            image.fill(x: x, y: y + row, width: 22, height: 1, color: colormap.color(1 - Double(row) / Double(max(1, height - 1))))
        }
        let texts = [
            PlacedText(text: labels.top, x: x + 28, y: y, scale: 2),
            PlacedText(text: labels.middle, x: x + 28, y: y + height / 2 - RasterImage.glyphHeight, scale: 2),
            PlacedText(text: labels.bottom, x: x + 28, y: y + height - RasterImage.glyphHeight * 2, scale: 2),
            PlacedText(text: labels.caption, x: x, y: y + height + 10, scale: 2),
        ]
        for text in texts { image.drawText(text.text, x: text.x, y: text.y, color: .black, scale: 2) }
        return texts
    }
}
