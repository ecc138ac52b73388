import StudyCore
import CZlib
import Testing

@testable import Figures

/// A deliberately separate PNG reader, so the encoder is checked against the
/// format rather than against itself: its own CRC-32, chunk walk and unfiltering,
/// with zlib only for inflating the IDAT stream.
private struct DecodedPNG {
    var width = 0
    var height = 0
    var chunkTypes: [String] = []
    var filterTypes: Set<UInt8> = []
    var pixels: [UInt8] = []

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init(_ file: [UInt8]) throws {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard Array(file.prefix(8)) == signature else { throw Failure(description: "bad signature") }
        var offset = 8
        var stream: [UInt8] = []
        while offset < file.count {
            guard offset + 12 <= file.count else { throw Failure(description: "truncated chunk") }
            let length = Int(Self.bigEndian(file, at: offset))
            let end = offset + 8 + length
            guard end + 4 <= file.count else { throw Failure(description: "chunk overruns file") }
            let type = String(decoding: file[offset + 4..<offset + 8], as: UTF8.self)
            let data = Array(file[offset + 8..<end])
            guard Self.crc32(file[offset + 4..<end]) == Self.bigEndian(file, at: end) else {
                throw Failure(description: "bad CRC in \(type)")
            }
            chunkTypes.append(type)
            switch type {
            case "IHDR":
                guard data.count == 13 else { throw Failure(description: "IHDR is \(data.count) bytes") }
                width = Int(Self.bigEndian(data, at: 0))
                height = Int(Self.bigEndian(data, at: 4))
                guard Array(data[8...]) == [8, 2, 0, 0, 0] else {
                    throw Failure(description: "not 8-bit RGB, non-interlaced: \(Array(data[8...]))")
                }
            case "IDAT": stream += data
            case "IEND": guard data.isEmpty else { throw Failure(description: "IEND has data") }
            default: throw Failure(description: "unexpected chunk \(type)")
            }
            offset = end + 4
        }
        let rowBytes = width * 3
        var inflated = [UInt8](repeating: 0, count: (rowBytes + 1) * height)
        var inflatedCount = uLongf(inflated.count)
        let status = inflated.withUnsafeMutableBufferPointer { target in
            stream.withUnsafeBufferPointer { source in
                uncompress(target.baseAddress, &inflatedCount, source.baseAddress, uLong(source.count))
            }
        }
        guard status == Z_OK, Int(inflatedCount) == inflated.count else {
            throw Failure(description: "inflate gave status \(status), \(inflatedCount) bytes")
        }
        for row in 0..<height {
            let start = row * (rowBytes + 1)
            filterTypes.insert(inflated[start])
            // Filter type 0 stores the row as is; any other type would need undoing here.
            pixels += inflated[start + 1...start + rowBytes]
        }
    }

    static func bigEndian(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// CRC-32 as in PNG Annex D, bit by bit.
    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
        }
        return crc ^ 0xFFFF_FFFF
    }
}

/// Deterministic noise, so images cover every byte value without compressing away.
private func noiseImage(width: Int, height: Int, seed: UInt64) -> RasterImage {
    var image = RasterImage(width: width, height: height, background: .black)
    var state = seed
    for index in image.pixels.indices {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        image.pixels[index] = UInt8(truncatingIfNeeded: state >> 56)
    }
    return image
}

@Suite("PNG encoding")
struct PNGEncoderTests {
    @Test("pixels survive an independent decode", arguments: [(1, 1), (7, 3), (3, 7), (64, 48)])
    func roundTrip(width: Int, height: Int) throws {
        let image = noiseImage(width: width, height: height, seed: UInt64(width * 31 + height))
        let decoded = try DecodedPNG(PNGEncoder.encode(image))
        #expect(decoded.width == width)
        #expect(decoded.height == height)
        #expect(decoded.chunkTypes == ["IHDR", "IDAT", "IEND"])
        #expect(decoded.filterTypes == [0])
        #expect(decoded.pixels == image.pixels)
    }

    @Test("a large stream is split over several IDAT chunks")
    func severalIDATs() throws {
        let image = noiseImage(width: 700, height: 700, seed: 7)
        let decoded = try DecodedPNG(PNGEncoder.encode(image))
        #expect(decoded.chunkTypes.first == "IHDR")
        #expect(decoded.chunkTypes.last == "IEND")
        #expect(decoded.chunkTypes.filter { $0 == "IDAT" }.count >= 2)
        #expect(decoded.pixels == image.pixels)
    }
}

@Suite("Drawing")
struct RasterDrawingTests {
    let red = RGB(255, 0, 0)

    @Test("a new image is all background")
    func background() {
        let image = RasterImage(width: 4, height: 3, background: RGB(1, 2, 3))
        #expect(image.pixels.count == 36)
        #expect(image[0, 0] == RGB(1, 2, 3))
        #expect(image[3, 2] == RGB(1, 2, 3))
    }

    @Test("sizes below 1 become 1")
    func minimumSize() {
        let image = RasterImage(width: 0, height: -5, background: .white)
        #expect(image.width == 1 && image.height == 1 && image.pixels.count == 3)
    }

    @Test("subscript writes land in row-major order and off-image writes are ignored")
    func subscriptWrites() {
        var image = RasterImage(width: 3, height: 2, background: .white)
        image[2, 1] = red
        #expect(Array(image.pixels[15..<18]) == [255, 0, 0])
        let before = image
        image[3, 0] = .black
        image[-1, 0] = .black
        image[0, 2] = .black
        #expect(image == before)
    }

    @Test("fill paints exactly its rectangle, clipped to the image")
    func fill() {
        var image = RasterImage(width: 10, height: 8, background: .white)
        image.fill(x: 2, y: 3, width: 4, height: 2, color: red)
        #expect(image[2, 3] == red)
        #expect(image[5, 4] == red)
        #expect(image[1, 3] == .white)
        #expect(image[6, 3] == .white)
        #expect(image[2, 2] == .white)
        #expect(image[2, 5] == .white)
        let painted = (0..<8).flatMap { y in (0..<10).map { x in image[x, y] } }.filter { $0 == red }
        #expect(painted.count == 8)

        image.fill(x: -3, y: 6, width: 100, height: 100, color: .black)
        #expect(image[0, 6] == .black && image[9, 7] == .black && image[9, 5] == .white)
        image.fill(x: 20, y: 0, width: 3, height: 3, color: .black)
        image.fill(x: 0, y: 0, width: -2, height: 3, color: .black)
        #expect(image[0, 0] == .white)
    }

    @Test("'I' puts ink where the glyph has it and nowhere else")
    func glyphI() {
        var image = RasterImage(width: 20, height: 20, background: .white)
        image.drawText("I", x: 10, y: 5, color: red)
        // Rows 0 and 6 of 'I' are .###., rows 1–5 are ..#..
        #expect(image[11, 5] == red && image[12, 5] == red && image[13, 5] == red)
        #expect(image[10, 5] == .white && image[14, 5] == .white)
        #expect(image[12, 8] == red)
        #expect(image[11, 8] == .white && image[13, 8] == .white)
        #expect(image[11, 11] == red && image[13, 11] == red)
        #expect(image[12, 12] == .white)
        let ink = (0..<20).flatMap { y in (0..<20).map { x in image[x, y] } }.filter { $0 == red }
        #expect(ink.count == 11)
    }

    @Test("scale turns each font pixel into a square")
    func scaledOne() {
        var image = RasterImage(width: 30, height: 30, background: .white)
        image.drawText("1", x: 0, y: 0, color: red, scale: 3)
        // Row 0 of '1' is ..#.. : columns 6–8 at scale 3.
        for y in 0..<3 {
            #expect(image[5, y] == .white)
            #expect(image[6, y] == red && image[8, y] == red)
            #expect(image[9, y] == .white)
        }
        // Row 6 is .###. : columns 3–11, rows 18–20.
        #expect(image[3, 18] == red && image[11, 20] == red && image[2, 18] == .white && image[12, 20] == .white)
        #expect(image[6, 21] == .white)
    }

    @Test("text advances 6 pixels per character and textWidth matches")
    func advanceAndWidth() {
        var image = RasterImage(width: 30, height: 10, background: .white)
        image.drawText("II", x: 0, y: 0, color: red)
        #expect(image[1, 0] == red && image[7, 0] == red && image[6, 0] == .white)
        #expect(RasterImage.textWidth("") == 0)
        #expect(RasterImage.textWidth("I") == 5)
        #expect(RasterImage.textWidth("λ1 = 0.5") == 47)
        #expect(RasterImage.textWidth("ab", scale: 2) == 22)
        #expect(RasterImage.glyphHeight == 8)
    }

    @Test("unknown characters draw a box; λ has its own glyph")
    func unknownAndLambda() {
        var box = RasterImage(width: 8, height: 8, background: .white)
        box.drawText("€", x: 0, y: 0, color: red)
        #expect(box[0, 0] == red && box[4, 0] == red && box[0, 6] == red && box[4, 6] == red)
        #expect(box[2, 3] == .white)

        var lambda = RasterImage(width: 8, height: 8, background: .white)
        lambda.drawText("λ", x: 0, y: 0, color: red)
        #expect(lambda != box)
        #expect(lambda[0, 0] == red && lambda[4, 0] == .white && lambda[0, 6] == red && lambda[4, 6] == red)
    }

    @Test("every printable ASCII character has a glyph of its own, except space")
    func asciiCoverage() {
        let box = Array(BitmapFont.rows(for: "€"))
        for value in 33...126 {
            let rows = Array(BitmapFont.rows(for: Character(Unicode.Scalar(UInt8(value)))))
            #expect(rows != box, "character \(value) draws as the unknown box")
            #expect(rows.contains { $0 != 0 }, "character \(value) has no ink")
        }
        #expect(BitmapFont.rows(for: " ").allSatisfy { $0 == 0 })
    }
}

@Suite("Colormap")
struct ColormapTests {
    @Test("viridis endpoints and midpoint match matplotlib's table")
    func viridis() {
        #expect(Colormap.viridisTable.count == 256)
        #expect(Colormap.viridis.color(0) == RGB(68, 1, 84))
        #expect(Colormap.viridis.color(1) == RGB(253, 231, 37))
        let (r, g, b) = Colormap.viridisTable[128]
        let expected = RGB(UInt8((r * 255).rounded()), UInt8((g * 255).rounded()), UInt8((b * 255).rounded()))
        #expect(Colormap.viridis.color(0.5) == expected)
        #expect(expected == RGB(33, 145, 140))
    }

    @Test("out-of-range and NaN inputs clamp", arguments: [(-1.0, 0.0), (2.0, 1.0), (.nan, 0.0), (-.infinity, 0.0), (.infinity, 1.0)])
    func clamping(input: Double, clamped: Double) {
        #expect(Colormap.viridis.color(input) == Colormap.viridis.color(clamped))
    }
}
