import CZlib

/// What can go wrong while inflating, before the reader names the file.
enum GzipFailure: Error, Equatable {
    /// zlib reported damaged data.
    case corrupt(String)
    /// The stream ended (or the input ran out) after `produced` bytes.
    case truncated(produced: Int)
    /// The stream holds more data than asked for.
    case longer
}

/// gzip through zlib: bounded inflation into a buffer of known size, and deflation.
enum Gzip {
    /// The most a deflate stream can expand (1032:1, from the format's block limits).
    static let maximumExpansion = 1032

    /// True when `bytes` start with the gzip magic number.
    static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// Inflates the first `count` bytes of the stream, or fewer when it ends sooner.
    static func inflatePrefix(_ input: [UInt8], count: Int) throws(GzipFailure) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: count)
        let result = input.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { out in inflate(source, into: out, requireEnd: false) }
        }
        switch result {
        case .success(let produced), .failure(.truncated(let produced)):
            // A short file: the header checks say what is wrong with it.
            return Array(output[..<produced])
        case .failure(let failure):
            throw failure
        }
    }

    /// Inflates the whole stream (every gzip member) into exactly `count` bytes:
    /// fewer is `truncated`, more is `longer`. zlib checks every member's CRC and length.
    static func inflate(_ input: [UInt8], exactly count: Int) throws(GzipFailure) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: count)
        let result = input.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { out in inflate(source, into: out, requireEnd: true) }
        }
        let produced = try result.get()
        if produced < count { throw .truncated(produced: produced) }
        return output
    }

    /// The inflate loop. With `requireEnd`, every member must end cleanly and no
    /// data may follow `output`'s end; without it, inflation stops when `output` is full.
    private static func inflate(
        _ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, requireEnd: Bool
    ) -> Result<Int, GzipFailure> {
        do throws(GzipFailure) {
            return .success(try inflateLoop(input, into: output, requireEnd: requireEnd))
        } catch {
            return .failure(error)
        }
    }

    private static func inflateLoop(
        _ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, requireEnd: Bool
    ) throws(GzipFailure) -> Int {
        var stream = z_stream()
        // 15 + 32: a 32 KiB window, gzip or zlib header detected automatically.
        guard czlib_inflateInit2(&stream, 15 + 32) == Z_OK else { throw .corrupt("zlib could not start") }
        defer { inflateEnd(&stream) }
        guard let inputBase = input.baseAddress, input.count > 0 else { throw .truncated(produced: 0) }
        stream.next_in = UnsafeMutablePointer(mutating: inputBase.assumingMemoryBound(to: Bytef.self))
        var inputLeft = input.count
        var produced = 0
        // One byte to learn whether data follows the expected end.
        let spare = UnsafeMutablePointer<Bytef>.allocate(capacity: 1)
        defer { spare.deallocate() }

        while true {
            let chunkIn = min(inputLeft, Int(UInt32.max))
            stream.avail_in = uInt(chunkIn)
            let roomLeft = output.count - produced
            let probing = roomLeft == 0
            if probing {
                guard requireEnd else { return produced }
                stream.next_out = spare
                stream.avail_out = 1
            } else {
                stream.next_out = output.baseAddress!.advanced(by: produced).assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(min(roomLeft, Int(UInt32.max)))
            }
            let outBefore = Int(stream.avail_out)
            let status = zlibInflate(&stream)
            let wrote = outBefore - Int(stream.avail_out)
            inputLeft -= chunkIn - Int(stream.avail_in)
            if probing {
                if wrote > 0 { throw .longer }
            } else {
                produced += wrote
            }

            switch status {
            case Z_STREAM_END:
                // Another gzip member may follow; anything else after the stream is ignored,
                // as gzip's own tools ignore trailing padding.
                guard inputLeft >= 2, let next = stream.next_in, next[0] == 0x1F, next[1] == 0x8B else {
                    return produced
                }
                guard inflateReset(&stream) == Z_OK else { throw .corrupt("zlib could not reset") }
            case Z_OK:
                continue
            case Z_BUF_ERROR:
                // No progress possible: the input is exhausted before the stream's end.
                if inputLeft == 0 {
                    if !requireEnd && produced == output.count { return produced }
                    throw .truncated(produced: produced)
                }
                if stream.avail_out == 0 { continue }
                throw .corrupt("no progress")
            case Z_DATA_ERROR:
                let message = stream.msg.map { String(cString: $0) } ?? "invalid data"
                throw .corrupt(message)
            case Z_MEM_ERROR:
                throw .corrupt("out of memory")
            default:
                throw .corrupt("zlib status \(status)")
            }
        }
    }

    private static func zlibInflate(_ stream: inout z_stream) -> Int32 {
        CZlib.inflate(&stream, Z_NO_FLUSH)
    }

    /// Compresses `input` as one gzip member.
    static func deflate(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
        bytes.withUnsafeBytes { deflate($0, level: level) }
    }

    private static func deflate(_ input: UnsafeRawBufferPointer, level: Int32) -> [UInt8] {
        var stream = z_stream()
        // 15 + 16: a 32 KiB window with a gzip header and trailer.
        let started = czlib_deflateInit2(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY)
        precondition(started == Z_OK, "zlib deflateInit2 failed with valid parameters")
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 32)
        var inputLeft = input.count
        var inputPosition = 0
        var produced = 0
        output.withUnsafeMutableBytes { out in
            while true {
                let chunk = min(inputLeft, Int(UInt32.max))
                if let base = input.baseAddress {
                    stream.next_in = UnsafeMutablePointer(
                        mutating: base.advanced(by: inputPosition).assumingMemoryBound(to: Bytef.self))
                }
                stream.avail_in = uInt(chunk)
                stream.next_out = out.baseAddress!.advanced(by: produced).assumingMemoryBound(to: Bytef.self)
                let room = min(out.count - produced, Int(UInt32.max))
                stream.avail_out = uInt(room)
                let finishing = chunk == inputLeft
                let status = CZlib.deflate(&stream, finishing ? Z_FINISH : Z_NO_FLUSH)
                let consumed = chunk - Int(stream.avail_in)
                inputLeft -= consumed
                inputPosition += consumed
                produced += room - Int(stream.avail_out)
                if status == Z_STREAM_END { break }
                precondition(status == Z_OK || status == Z_BUF_ERROR, "zlib deflate failed: \(status)")
            }
        }
        output.removeSubrange(produced...)
        return output
    }
}
