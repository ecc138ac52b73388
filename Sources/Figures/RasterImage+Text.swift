extension RasterImage {
    /// Height in pixels of one line of text at scale 1, descenders included;
    /// capitals and digits fill the top 7 rows.
    public static let glyphHeight: Int = BitmapFont.glyphHeight

    /// Width in pixels of `text` drawn at `scale`: 6 pixels per character at scale 1,
    /// without a blank column after the last one. Empty text is 0 wide.
    public static func textWidth(_ text: String, scale: Int = 1) -> Int {
        let count = text.count
        guard count > 0 else { return 0 }
        return (count * BitmapFont.advance - 1) * max(scale, 1)
    }

    /// Draws one line of `text` with its top-left corner at (x, y), each font pixel
    /// a `scale` x `scale` square (scale below 1 counts as 1).
    ///
    /// Only the glyphs' ink is painted, so the background shows through. Characters
    /// outside printable ASCII and λ, newlines included, draw as a box.
    public mutating func drawText(_ text: String, x: Int, y: Int, color: RGB, scale: Int = 1) {
        let scale = max(scale, 1)
        var left = x
        for character in text {
            for (row, bits) in BitmapFont.rows(for: character).enumerated() where bits != 0 {
                for column in 0..<BitmapFont.glyphWidth where bits & (0b10000 >> column) != 0 {
                    fill(
                        x: left + column * scale, y: y + row * scale,
                        width: scale, height: scale, color: color)
                }
            }
            left += BitmapFont.advance * scale
        }
    }
}
