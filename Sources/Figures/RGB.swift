/// An opaque 8-bit sRGB colour.
public struct RGB: Sendable, Equatable, Hashable {
    /// Red, 0–255.
    public var r: UInt8
    /// Green, 0–255.
    public var g: UInt8
    /// Blue, 0–255.
    public var b: UInt8

    /// A colour from its red, green and blue bytes.
    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }
}

extension RGB {
    /// Pure white, the usual figure background.
    public static let white = RGB(255, 255, 255)
    /// Pure black, for axes and text.
    public static let black = RGB(0, 0, 0)
}
