/// An 8-bit RGB canvas with the few drawing operations report figures need.
///
/// Coordinates start at the top-left pixel, x to the right and y downwards.
/// Every drawing call clips to the image, so callers can draw partly off-canvas.
public struct RasterImage: Sendable, Equatable {
    /// Columns of pixels, at least 1.
    public let width: Int
    /// Rows of pixels, at least 1.
    public let height: Int
    /// Red, green, blue bytes per pixel, row-major, top row first.
    ///
    /// Keep its count at `width * height * 3`; `PNGEncoder` relies on it.
    public var pixels: [UInt8]

    /// A canvas filled with `background`. Sizes below 1 are raised to 1, because
    /// PNG has no empty images.
    public init(width: Int, height: Int, background: RGB) {
        self.width = max(width, 1)
        self.height = max(height, 1)
        var pixels = [UInt8](repeating: 0, count: self.width * self.height * 3)
        for offset in stride(from: 0, to: pixels.count, by: 3) {
            pixels[offset] = background.r
            pixels[offset + 1] = background.g
            pixels[offset + 2] = background.b
        }
        self.pixels = pixels
    }

    /// Whether (x, y) is a pixel of this image.
    public func contains(x: Int, y: Int) -> Bool {
        x >= 0 && x < width && y >= 0 && y < height
    }

    /// The pixel at (x, y).
    ///
    /// Reading outside the image is a programming error and traps; check with
    /// `contains(x:y:)` first. Writing outside the image does nothing, like every
    /// other drawing call.
    public subscript(x: Int, y: Int) -> RGB {
        get {
            precondition(contains(x: x, y: y), "pixel (\(x), \(y)) is outside the \(width)x\(height) image")
            let offset = (y * width + x) * 3
            return RGB(pixels[offset], pixels[offset + 1], pixels[offset + 2])
        }
        set {
            guard contains(x: x, y: y) else { return }
            let offset = (y * width + x) * 3
            pixels[offset] = newValue.r
            pixels[offset + 1] = newValue.g
            pixels[offset + 2] = newValue.b
        }
    }

    /// Paints the rectangle with top-left corner (x, y), clipped to the image.
    public mutating func fill(x: Int, y: Int, width: Int, height: Int, color: RGB) {
        let left = max(x, 0)
        let top = max(y, 0)
        let right = min(x.addingReportingOverflow(width).partialValue, self.width)
        let bottom = min(y.addingReportingOverflow(height).partialValue, self.height)
        guard left < right, top < bottom else { return }
        let imageWidth = self.width
        pixels.withUnsafeMutableBufferPointer { buffer in
            for row in top..<bottom {
                var offset = (row * imageWidth + left) * 3
                for _ in left..<right {
                    buffer[offset] = color.r
                    buffer[offset + 1] = color.g
                    buffer[offset + 2] = color.b
                    offset += 3
                }
            }
        }
    }

    /// Outlines the rectangle with top-left corner (x, y); the border of
    /// `thickness` pixels lies inside the rectangle.
    public mutating func strokeRect(x: Int, y: Int, width: Int, height: Int, color: RGB, thickness: Int = 1) {
        guard width > 0, height > 0 else { return }
        let border = min(max(thickness, 1), width, height)
        fill(x: x, y: y, width: width, height: border, color: color)
        fill(x: x, y: y + height - border, width: width, height: border, color: color)
        fill(x: x, y: y, width: border, height: height, color: color)
        fill(x: x + width - border, y: y, width: border, height: height, color: color)
    }

    /// Draws a straight line from (x0, y0) to (x1, y1), both ends included, with a
    /// square pen `thickness` pixels wide centred on the line.
    ///
    /// Horizontal and vertical lines come out as exact rectangles; other angles use
    /// Bresenham's algorithm.
    public mutating func drawLine(x0: Int, y0: Int, x1: Int, y1: Int, color: RGB, thickness: Int = 1) {
        let pen = max(thickness, 1)
        let inset = (pen - 1) / 2
        if y0 == y1 || x0 == x1 {
            let left = min(x0, x1)
            let top = min(y0, y1)
            fill(
                x: left - inset, y: top - inset,
                width: max(x0, x1) - left + pen, height: max(y0, y1) - top + pen,
                color: color)
            return
        }
        let dx = abs(x1 - x0)
        let dy = -abs(y1 - y0)
        let stepX = x0 < x1 ? 1 : -1
        let stepY = y0 < y1 ? 1 : -1
        var error = dx + dy
        var x = x0
        var y = y0
        while true {
            fill(x: x - inset, y: y - inset, width: pen, height: pen, color: color)
            if x == x1 && y == y1 { break }
            let doubled = 2 * error
            if doubled >= dy {
                error += dy
                x += stepX
            }
            if doubled <= dx {
                error += dx
                y += stepY
            }
        }
    }
}
