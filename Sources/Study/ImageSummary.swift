import Formatting
import NIfTI
import Reports

/// What `inspect` reports about an image.
public struct ImageSummary: Sendable {
    /// The image.
    public let image: NIfTIImage
    /// True when the file was gzip-compressed.
    public let compressed: Bool
    /// Its scaled values' statistics.
    public let statistics: VoxelStatistics

    /// The summary of `image`, read from a compressed file when `compressed`.
    public init(image: NIfTIImage, compressed: Bool) {
        self.image = image
        self.compressed = compressed
        self.statistics = image.statistics()
    }

    /// Reads the file at `path`.
    public init(file path: String) throws {
        let bytes = try FileBytes.read(path, maximumBytes: MaskSizeLimit.fileBytes())
        self.init(image: try NIfTIImage(fileBytes: bytes, path: path), compressed: bytes.starts(with: [0x1F, 0x8B]))
    }

    private var header: NIfTIHeader { image.header }

    /// One JSON object, with nibabel's names for the header's fields.
    public var json: JSONValue {
        .object([
            ("path", .string(image.path)),
            ("format", .string(header.format.rawValue)),
            ("dims", .array(image.shape.map { .integer($0) })),
            ("datatype", .string(image.layout.datatype.name)),
            ("byte_order", .string(header.byteOrder.rawValue)),
            ("pixdim", .array(header.pixdim.map { .number($0) })),
            ("affine", .array(image.affine.rows.map { .array($0.map { .number($0) }) })),
            ("affine_source", .string(image.affineSource.rawValue)),
            ("scl_slope", .number(header.sclSlope)),
            ("scl_inter", .number(header.sclInter)),
            ("min", .number(statistics.min)),
            ("max", .number(statistics.max)),
            ("mean", .number(statistics.mean)),
            ("sum", .number(statistics.sum)),
            ("nan_count", .integer(statistics.nanCount)),
            ("voxel_count", .integer(image.layout.voxelCount)),
            ("compressed", .bool(compressed)),
            ("zooms", .array(header.zooms.map { .number($0) })),
            ("qform_code", .integer(header.qformCode)),
            ("sform_code", .integer(header.sformCode)),
            ("vox_offset", .integer(image.layout.dataOffset)),
            ("description", .string(header.descrip)),
        ])
    }

    /// The readable summary, one aligned line per fact.
    public var text: String {
        let format = header.format == .nifti1 ? "NIfTI-1" : "NIfTI-2"
        let scaling = header.scaling.map { "value = \(NumberText.exact($0.slope)) x raw + \(NumberText.exact($0.intercept))" }
            ?? "none"
        let affineRows = image.affine.rows.prefix(3).map { row in
            "  " + row.map { pad(NumberText.fixed($0, decimals: 4), 11) }.joined()
        }
        func stat(_ value: Double?) -> String { value.map { NumberText.exact($0) } ?? "-" }
        var lines = [
            "file        \(image.path)",
            "format      \(format), \(header.byteOrder.rawValue)-endian\(compressed ? ", gzip" : "")",
            "dims        \(image.shape.map(String.init).joined(separator: " x ")) (\(image.layout.voxelCount) voxels)",
            "datatype    \(image.layout.datatype.name)",
            "voxel size  \(header.zooms.prefix(3).map { NumberText.exact($0) }.joined(separator: " x "))",
            "scaling     \(scaling)",
            "affine      from the \(image.affineSource.rawValue) (sform_code \(header.sformCode), qform_code \(header.qformCode))",
        ]
        lines += affineRows
        lines += [
            "values      min \(stat(statistics.min)), max \(stat(statistics.max)), mean \(stat(statistics.mean)), sum \(stat(statistics.sum))",
            "NaN voxels  \(statistics.nanCount)",
        ]
        if !header.descrip.isEmpty { lines.append("description \(header.descrip)") }
        return lines.joined(separator: "\n")
    }

    private func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
}
