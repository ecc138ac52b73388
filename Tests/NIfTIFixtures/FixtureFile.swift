import Foundation

/// Builds NIfTI files byte by byte from the spec's offsets, independently of maskdb's
/// reader and writer, so tests check maskdb against the format rather than against itself.
public struct FixtureFile {
    public enum Format: Sendable { case nifti1, nifti2 }
    public enum Order: Sendable { case little, big }

    public var format: Format = .nifti1
    public var order: Order = .little
    public var shape: [Int] = [2, 2, 2]
    public var datatype: Int16 = 16
    public var bitpix: Int16 = 32
    public var pixdim: [Double] = [1, 1, 1, 1, 1, 1, 1, 1]
    public var voxOffset: Int? = nil
    public var slope: Double = 1
    public var inter: Double = 0
    public var qformCode: Int = 0
    public var sformCode: Int = 0
    public var quaternion: (b: Double, c: Double, d: Double) = (0, 0, 0)
    public var qoffset: (Double, Double, Double) = (0, 0, 0)
    public var srows: [[Double]] = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]
    public var magic: [UInt8]? = nil
    public var intentCode: Int = 0
    public var intentName: String = ""
    public var calMax: Double = 0
    public var calMin: Double = 0
    public var xyztUnits: Int = 0
    /// Written as it is: keep it under 80 bytes of UTF-8 to leave its NUL.
    public var descrip: String = ""
    /// The voxel bytes, already in `order` (see `encode`).
    public var data: [UInt8] = []

    public init() {}

    public var headerSize: Int { format == .nifti1 ? 348 : 540 }

    /// The whole `.nii` file.
    public var bytes: [UInt8] {
        var h = [UInt8](repeating: 0, count: headerSize + 4)
        func put<T: FixedWidthInteger>(_ v: T, _ offset: Int) {
            let ordered = order == .little ? v.littleEndian : v.bigEndian
            withUnsafeBytes(of: ordered) { h.replaceSubrange(offset..<offset + $0.count, with: $0) }
        }
        func f32(_ v: Double, _ offset: Int) { put(Float(v).bitPattern, offset) }
        func f64(_ v: Double, _ offset: Int) { put(v.bitPattern, offset) }
        func text(_ s: String, _ offset: Int) { h.replaceSubrange(offset..<offset + s.utf8.count, with: Array(s.utf8)) }
        let dims = [shape.count] + shape + Array(repeating: 1, count: 7 - shape.count)
        switch format {
        case .nifti1:
            put(Int32(348), 0)
            for (i, d) in dims.enumerated() { put(Int16(d), 40 + 2 * i) }
            put(Int16(intentCode), 68)
            put(datatype, 70); put(bitpix, 72)
            for (i, p) in pixdim.enumerated() { f32(p, 76 + 4 * i) }
            f32(Double(voxOffset ?? 352), 108)
            f32(slope, 112); f32(inter, 116)
            h[123] = UInt8(xyztUnits)
            f32(calMax, 124); f32(calMin, 128)
            text(descrip, 148); text(intentName, 328)
            put(Int16(qformCode), 252); put(Int16(sformCode), 254)
            f32(quaternion.b, 256); f32(quaternion.c, 260); f32(quaternion.d, 264)
            f32(qoffset.0, 268); f32(qoffset.1, 272); f32(qoffset.2, 276)
            for r in 0..<3 { for c in 0..<4 { f32(srows[r][c], 280 + 16 * r + 4 * c) } }
            h.replaceSubrange(344..<348, with: magic ?? Array("n+1\0".utf8))
        case .nifti2:
            put(Int32(540), 0)
            h.replaceSubrange(4..<12, with: magic ?? Array("n+2\0\r\n\u{1A}\n".utf8))
            put(datatype, 12); put(bitpix, 14)
            for (i, d) in dims.enumerated() { put(Int64(d), 16 + 8 * i) }
            for (i, p) in pixdim.enumerated() { f64(p, 104 + 8 * i) }
            put(Int64(voxOffset ?? 544), 168)
            f64(slope, 176); f64(inter, 184)
            f64(calMax, 192); f64(calMin, 200)
            text(descrip, 240)
            put(Int32(qformCode), 344); put(Int32(sformCode), 348)
            f64(quaternion.b, 352); f64(quaternion.c, 360); f64(quaternion.d, 368)
            f64(qoffset.0, 376); f64(qoffset.1, 384); f64(qoffset.2, 392)
            for r in 0..<3 { for c in 0..<4 { f64(srows[r][c], 400 + 32 * r + 8 * c) } }
            put(Int32(xyztUnits), 500); put(Int32(intentCode), 504)
            text(intentName, 508)
        }
        let offset = voxOffset ?? (headerSize + 4)
        if h.count < offset { h += [UInt8](repeating: 0, count: offset - h.count) }
        return h + data
    }

    /// Encodes values as `T` in `order` into `data`, setting the datatype code.
    public mutating func encode<T: FixedWidthInteger>(_ values: [T], code: Int16) {
        datatype = code
        bitpix = Int16(MemoryLayout<T>.size * 8)
        data = values.flatMap { v -> [UInt8] in
            withUnsafeBytes(of: order == .little ? v.littleEndian : v.bigEndian) { Array($0) }
        }
    }

    /// Encodes float32 values.
    public mutating func encode(float32 values: [Float]) {
        encode(values.map(\.bitPattern), code: 16)
    }

    /// Encodes float64 values.
    public mutating func encode(float64 values: [Double]) {
        encode(values.map(\.bitPattern), code: 64)
    }

    /// Writes the file (gzip-compressed when `gzip`) into `folder` and returns its path.
    public func write(named name: String, in folder: ScratchFolder, gzip: Bool = false) throws -> String {
        try folder.write(gzip ? StoredGzip.member(bytes) : bytes, named: name)
    }
}

extension FixtureFile {
    /// A 3 x 2 x 2 big-endian int16 image scaled 0.5 x raw + 1 (values -1, 1, 2, ..., 11),
    /// 1.5 mm voxels placed by an sform: what `inspect` is checked on.
    public static var scaledBigEndian: FixtureFile {
        var file = FixtureFile()
        file.order = .big
        file.shape = [3, 2, 2]
        file.encode([Int16(-4), 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20], code: 4)
        file.slope = 0.5
        file.inter = 1
        file.pixdim = [1, 1.5, 1.5, 1.5, 1, 1, 1, 1]
        file.sformCode = 4
        file.srows = [[1.5, 0, 0, -90], [0, 1.5, 0, -126], [0, 0, 1.5, -72]]
        return file
    }
}

/// A fresh temporary folder for a test's files, removed when its owner (a test suite's
/// instance, which lives for one test) lets it go.
public final class ScratchFolder: Sendable {
    /// The folder.
    public let url: URL

    /// Creates `<temporary directory>/<prefix>-<UUID>`.
    public init(prefix: String = "maskdb-tests") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The path of `name` in the folder.
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Writes `bytes` to `name` in the folder and returns the path.
    public func write(_ bytes: [UInt8], named name: String) throws -> String {
        try Data(bytes).write(to: url.appendingPathComponent(name))
        return path(name)
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// A gzip encoder from the RFC 1952/1951 text, using only stored (uncompressed)
/// deflate blocks, so fixtures do not depend on the zlib code under test.
public enum StoredGzip {
    /// One gzip member holding `bytes`.
    public static func member(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 255]
        var position = 0
        repeat {
            let length = min(65535, bytes.count - position)
            let last: UInt8 = position + length == bytes.count ? 1 : 0
            out.append(last)  // BFINAL, BTYPE = 00 (stored)
            out += le16(UInt16(length)) + le16(~UInt16(length))
            out += bytes[position..<position + length]
            position += length
        } while position < bytes.count
        out += le32(crc32(bytes)) + le32(UInt32(truncatingIfNeeded: bytes.count))
        return out
    }

    static func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
    static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }

    /// CRC-32 (IEEE 802.3, reflected), bit by bit.
    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
