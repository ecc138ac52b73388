import CZlib

/// What can go wrong while inflating, before the reader names the file.
enum GzipFailure: Error, Equatable {
    /// zlib reported damaged data.
    case corrupt(String)
    /// The stream ended (or the input ran out) after `produced` bytes, which `output`
    /// holds when the bytes were kept.
    case truncated(produced: Int, output: [UInt8])
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
        let result = input.withUnsafeBytes { inflate($0, count: count, keep: true, requireEnd: false) }
        switch result {
        case .success(let output): return output
        case .failure(.truncated(let produced, let output)) where produced < count:
            // A short file: the header checks say what is wrong with it.
            return output
        case .failure(let failure): throw failure
        }
    }

    /// Inflates the whole stream (every gzip member) into exactly `count` bytes:
    /// fewer is `truncated`, more is `longer`; every member's CRC and length are checked.
    /// libdeflate does it in one pass, when it loaded (see `Inflater`). When it refuses, or
    /// is absent, zlib inflates first only to say why, keeping nothing, so a damaged
    /// header's size is never allocated; should zlib accept the stream, it inflates once
    /// more into a buffer of that size.
    static func inflate(_ input: [UInt8], exactly count: Int) throws(GzipFailure) -> [UInt8] {
        try inflate(input, exactly: count, libdeflate: Inflater.chosenLibDeflate.library)
    }

    /// `inflate(_:exactly:)` with libdeflate given, or not (nil: zlib alone, as without the library).
    static func inflate(_ input: [UInt8], exactly count: Int, libdeflate: LibDeflate?) throws(GzipFailure) -> [UInt8] {
        if let fast = libdeflate?.gunzip(input, exactly: count) { return fast }
        _ = try input.withUnsafeBytes { inflate($0, count: count, keep: false, requireEnd: true) }.get()
        return try input.withUnsafeBytes { inflate($0, count: count, keep: true, requireEnd: true) }.get()
    }

    /// The inflate loop. With `requireEnd`, every member must end cleanly and no data
    /// may follow the `count`th byte; without it, inflation stops after `count` bytes.
    /// Without `keep`, the bytes go through a small scratch buffer and only their number
    /// counts (the result and `truncated` then carry no bytes).
    private static func inflate(
        _ input: UnsafeRawBufferPointer, count: Int, keep: Bool, requireEnd: Bool
    ) -> Result<[UInt8], GzipFailure> {
        let stream = allocateStream()
        defer { stream.deallocate() }
        // 15 + 32: a 32 KiB window, gzip or zlib header detected automatically.
        guard czlib_inflateInit2(stream, 15 + 32) == Z_OK else { return .failure(.corrupt("zlib could not start")) }
        defer { inflateEnd(stream) }
        guard let inputBase = input.baseAddress, input.count > 0 else { return .failure(.truncated(produced: 0, output: [])) }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: inputBase.assumingMemoryBound(to: Bytef.self))
        var inputLeft = input.count
        var output = [UInt8](repeating: 0, count: keep ? count : min(count, 1 << 20))
        var produced = 0
        var spare: [UInt8] = [0]  // one byte to learn whether data follows the expected end
        func kept() -> [UInt8] { keep ? Array(output[..<produced]) : [] }

        while true {
            let probing = produced == count
            if probing && !requireEnd { return .success(output) }
            let chunkIn = min(inputLeft, Int(UInt32.max))
            stream.pointee.avail_in = uInt(chunkIn)
            let start = keep ? produced : 0
            let room = min(output.count - start, count - produced)
            let (status, wrote) = probing
                ? spare.withUnsafeMutableBytes { step(stream, into: $0) }
                : output.withUnsafeMutableBytes { step(stream, into: UnsafeMutableRawBufferPointer(rebasing: $0[start..<start + room])) }
            inputLeft -= chunkIn - Int(stream.pointee.avail_in)
            if probing && wrote > 0 { return .failure(.longer) }
            produced += wrote

            switch status {
            case Z_OK:
                continue
            case Z_STREAM_END:
                // Another gzip member may follow; other trailing bytes are ignored, as gzip's
                // own tools ignore trailing padding.
                let next = stream.pointee.next_in
                guard inputLeft >= 2, let next, next[0] == 0x1F, next[1] == 0x8B else {
                    return produced == count ? .success(kept()) : .failure(.truncated(produced: produced, output: kept()))
                }
                guard inflateReset(stream) == Z_OK else { return .failure(.corrupt("zlib could not reset")) }
            case Z_BUF_ERROR where inputLeft == 0:
                // The input ran out before the stream's end.
                if !requireEnd && produced == count { return .success(kept()) }
                return .failure(.truncated(produced: produced, output: kept()))
            case Z_BUF_ERROR:
                continue  // the output was full: go on, or probe
            case Z_DATA_ERROR:
                return .failure(.corrupt(stream.pointee.msg.map { String(cString: $0) } ?? "invalid data"))
            case Z_MEM_ERROR:
                return .failure(.corrupt("out of memory"))
            default:
                return .failure(.corrupt("zlib status \(status)"))
            }
        }
    }

    /// A zeroed zlib stream for the caller to deallocate, off the Swift stack: zlib checks
    /// that its stream stays at one address from init to end.
    private static func allocateStream() -> UnsafeMutablePointer<z_stream> {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        return stream
    }

    /// One call to zlib's inflate into `buffer`: its status and the bytes it wrote.
    private static func step(_ stream: UnsafeMutablePointer<z_stream>, into buffer: UnsafeMutableRawBufferPointer) -> (Int32, Int) {
        let room = min(buffer.count, Int(UInt32.max))
        stream.pointee.next_out = buffer.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(room)
        let status = CZlib.inflate(stream, Z_NO_FLUSH)
        return (status, room - Int(stream.pointee.avail_out))
    }

    /// Compresses `input` as one gzip member.
    static func deflate(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
        bytes.withUnsafeBytes { deflate($0, level: level) }
    }

    private static func deflate(_ input: UnsafeRawBufferPointer, level: Int32) -> [UInt8] {
        let stream = allocateStream()
        defer { stream.deallocate() }
        // 15 + 16: a 32 KiB window with a gzip header and trailer.
        let started = czlib_deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY)
        precondition(started == Z_OK, "zlib deflateInit2 failed with valid parameters")
        defer { deflateEnd(stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(stream, uLong(input.count))) + 32)
        var inputLeft = input.count
        var inputPosition = 0
        var produced = 0
        output.withUnsafeMutableBytes { out in
            while true {
                let chunk = min(inputLeft, Int(UInt32.max))
                if let base = input.baseAddress {
                    stream.pointee.next_in = UnsafeMutablePointer(
                        mutating: base.advanced(by: inputPosition).assumingMemoryBound(to: Bytef.self))
                }
                stream.pointee.avail_in = uInt(chunk)
                stream.pointee.next_out = out.baseAddress!.advanced(by: produced).assumingMemoryBound(to: Bytef.self)
                let room = min(out.count - produced, Int(UInt32.max))
                stream.pointee.avail_out = uInt(room)
                let finishing = chunk == inputLeft
                let status = CZlib.deflate(stream, finishing ? Z_FINISH : Z_NO_FLUSH)
                let consumed = chunk - Int(stream.pointee.avail_in)
                inputLeft -= consumed
                inputPosition += consumed
                produced += room - Int(stream.pointee.avail_out)
                if status == Z_STREAM_END { break }
                precondition(status == Z_OK || status == Z_BUF_ERROR, "zlib deflate failed: \(status)")
            }
        }
        output.removeSubrange(produced...)
        return output
    }
}
