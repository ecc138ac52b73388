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
}
