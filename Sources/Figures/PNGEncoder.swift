import CZlib

/// Writes a `RasterImage` as a PNG file: 8-bit truecolour, no interlacing.
///
/// The output holds only IHDR, IDAT and IEND, with every row under filter type 0
/// and zlib at level 6, so the same image always gives the same bytes.
public enum PNGEncoder {
    /// The eight bytes every PNG file starts with.
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    /// Largest IDAT payload written; the zlib stream is split across chunks of this size.
    static let maxIDATLength = 1 << 20

    /// The complete PNG file for `image`.
    public static func encode(_ image: RasterImage) -> [UInt8] {
        let rowBytes = image.width * 3
        precondition(
            image.pixels.count == rowBytes * image.height,
            "RasterImage.pixels holds \(image.pixels.count) bytes, not width * height * 3")

        var header: [UInt8] = []
        header.appendBigEndian(UInt32(image.width))
        header.appendBigEndian(UInt32(image.height))
        // Bit depth 8, colour type 2 (RGB), deflate, adaptive filtering, no interlace.
        header += [8, 2, 0, 0, 0]

        var file = signature
        appendChunk("IHDR", header, to: &file)
        let stream = compress(filteredRows(image, rowBytes: rowBytes))
        var start = 0
        repeat {
            let end = min(start + maxIDATLength, stream.count)
            appendChunk("IDAT", stream[start..<end], to: &file)
            start = end
        } while start < stream.count
        appendChunk("IEND", [], to: &file)
        return file
    }

    /// The image as PNG scanlines: a filter-type byte (0, none) before each row.
    private static func filteredRows(_ image: RasterImage, rowBytes: Int) -> [UInt8] {
        var raw: [UInt8] = []
        raw.reserveCapacity((rowBytes + 1) * image.height)
        for row in 0..<image.height {
            raw.append(0)
            raw += image.pixels[row * rowBytes..<(row + 1) * rowBytes]
        }
        return raw
    }

    /// `bytes` as one zlib stream (RFC 1950) at compression level 6.
    private static func compress(_ bytes: [UInt8]) -> [UInt8] {
        var capacity = compressBound(uLong(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(capacity))
        let status = output.withUnsafeMutableBufferPointer { target in
            bytes.withUnsafeBufferPointer { source in
                compress2(target.baseAddress, &capacity, source.baseAddress, uLong(source.count), 6)
            }
        }
        // compressBound guarantees room, so only running out of memory can fail here.
        precondition(status == Z_OK, "zlib compress2 failed with status \(status)")
        output.removeSubrange(Int(capacity)...)
        return output
    }

    /// Appends one chunk: length, type, data, and the CRC-32 of type and data.
    private static func appendChunk(_ type: String, _ data: some Collection<UInt8>, to file: inout [UInt8]) {
        let typeBytes = Array(type.utf8)
        file.appendBigEndian(UInt32(data.count))
        let crcStart = file.count
        file += typeBytes
        file += data
        let crc = file[crcStart...].withUnsafeBufferPointer { buffer in
            crc32(0, buffer.baseAddress, uInt(buffer.count))
        }
        file.appendBigEndian(UInt32(truncatingIfNeeded: crc))
    }
}

extension Array where Element == UInt8 {
    /// Appends `value` most significant byte first, as PNG stores integers.
    fileprivate mutating func appendBigEndian(_ value: UInt32) {
        append(UInt8(truncatingIfNeeded: value >> 24))
        append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }
}
