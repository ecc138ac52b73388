import Foundation

extension NIfTIImage {
    /// Reads a `.nii` or `.nii.gz` file (gzip is recognised by its content, not its name).
    /// A file too large for an image within `maximumVoxels` is refused unread.
    public init(contentsOf path: String, maximumVoxels: Int = MaskSizeLimit.voxels) throws(NIfTIError) {
        let bytes = try FileBytes.read(path, maximumBytes: MaskSizeLimit.fileBytes(voxels: maximumVoxels))
        try self.init(fileBytes: bytes, path: path, maximumVoxels: maximumVoxels)
    }

    /// Decodes the bytes of a `.nii` or `.nii.gz` file; `path` names it in messages.
    /// Everything is checked against the header before the voxels are allocated; a header
    /// declaring more than `maximumVoxels` voxels is refused before anything is inflated.
    public init(fileBytes: [UInt8], path: String, maximumVoxels: Int = MaskSizeLimit.voxels) throws(NIfTIError) {
        let decoded = Gzip.isGzip(fileBytes)
            ? try Self.inflate(fileBytes, path: path, maximumVoxels: maximumVoxels)
            : try Self.plain(fileBytes, path: path, maximumVoxels: maximumVoxels)
        let (affine, source) = try decoded.header.bestAffine(path: path)
        self.init(
            path: path, header: decoded.header, layout: decoded.layout,
            affine: affine, affineSource: source, storage: decoded.storage)
    }

    private typealias Decoded = (header: NIfTIHeader, layout: VoxelLayout, storage: [UInt8])

    private static func plain(_ bytes: [UInt8], path: String, maximumVoxels: Int) throws(NIfTIError) -> Decoded {
        let header = try NIfTIHeader(parsing: bytes, path: path)
        let layout = try header.validatedLayout(path: path)
        guard bytes.count >= layout.requiredBytes else {
            throw .truncated(path: path, expected: layout.requiredBytes, available: bytes.count)
        }
        // Read already, but its float copy would still be too large.
        try MaskSizeLimit.check(header, layout: layout, path: path, limit: maximumVoxels)
        return (header, layout, bytes)
    }

    private static func inflate(_ input: [UInt8], path: String, maximumVoxels: Int) throws(NIfTIError) -> Decoded {
        let headerBytes: [UInt8]
        do {
            headerBytes = try Gzip.inflatePrefix(input, count: NIfTIHeader.largestHeaderSize)
        } catch {
            throw gzipError(error, path: path, expected: NIfTIHeader.largestHeaderSize)
        }
        let header = try NIfTIHeader(parsing: headerBytes, path: path)
        let layout = try header.validatedLayout(path: path)
        // Deflate cannot expand data more than 1032-fold: a header announcing more
        // than that is refused before anything is allocated or inflated.
        let (bound, overflow) = input.count.multipliedReportingOverflow(by: Gzip.maximumExpansion)
        if !overflow && layout.requiredBytes > bound {
            throw .tooLarge(path: path, detail: "the header announces \(layout.requiredBytes) bytes, more than a \(input.count)-byte gzip file can hold; the header is damaged")
        }
        // A file padded with junk can pass that bound: never ask for more than the machine has.
        let memory = ProcessInfo.processInfo.physicalMemory
        if UInt64(layout.requiredBytes) > memory {
            throw .tooLarge(path: path, detail: "the header announces \(layout.requiredBytes) bytes, more than this machine's \(memory) bytes of memory; the header is damaged or the image too large for this machine")
        }
        try MaskSizeLimit.check(header, layout: layout, path: path, limit: maximumVoxels)
        // Inflation stops at the declared size (a longer stream is refused as such), so a
        // header declaring few voxels over a huge stream allocates only what it declares.
        let storage: [UInt8]
        do {
            storage = try Gzip.inflate(input, exactly: layout.requiredBytes)
        } catch {
            throw gzipError(error, path: path, expected: layout.requiredBytes)
        }
        return (header, layout, storage)
    }

    private static func gzipError(_ failure: GzipFailure, path: String, expected: Int) -> NIfTIError {
        switch failure {
        case .corrupt(let detail): .corruptGzip(path: path, detail: detail)
        case .truncated(let produced, _) where produced < expected:
            produced < 348 ? .tooShort(path: path, bytes: produced) : .truncated(path: path, expected: expected, available: produced)
        case .truncated: .corruptGzip(path: path, detail: "the stream ends without its gzip trailer")
        case .longer: .longerThanAnnounced(path: path, expected: expected)
        }
    }
}
