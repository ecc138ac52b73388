import Atlases
import NIfTI

/// A labelled atlas: a 3D label image on a grid, and the regions its labels name.
public struct Atlas: Sendable {
    /// A short name (`aal2`, or the image's file name).
    public let name: String
    /// The regions in ascending label order; a mask's density vector follows this order.
    public let regions: [AtlasRegion]
    /// The atlas's own grid, with each voxel's region index (-1 for the background).
    public let grid: RegionGrid

    /// An atlas from a decoded label image and its regions.
    /// Every non-zero label in the image must name one of `regions`.
    public init(name: String, image: NIfTIImage, regions: [AtlasRegion]) throws(AtlasError) {
        let shape = image.shape
        guard shape.count >= 3, shape.dropFirst(3).allSatisfy({ $0 == 1 }) else {
            throw .atlasNotThreeDimensional(path: image.path, shape: shape)
        }
        // Checked here, where the atlas file is named; masks on other grids resample through it.
        guard image.affine.inverted() != nil else { throw .singularAffine(path: image.path) }
        var indexOfLabel: [Int: Int32] = [:]
        for (index, region) in regions.enumerated() { indexOfLabel[region.label] = Int32(index) }
        var unnamed = Set<Int>()
        // Consecutive voxels mostly share a label: remember the last lookup.
        var lastValue = 0.0, lastIndex: Int32 = -1
        let indices = try [Int32](unsafeUninitializedCapacity: image.layout.voxelCount) { out, initialized throws(AtlasError) in
            try image.forEachDoubleVoxelBlock { values, first throws(AtlasError) in
                for (offset, value) in values.enumerated() {
                    if value != lastValue {
                        guard value == value.rounded(), abs(value) < 1e15 else {
                            throw .nonIntegerLabel(path: image.path, value: value)
                        }
                        let label = Int(value)
                        let known = indexOfLabel[label]
                        if label != 0 && known == nil { unnamed.insert(label) }
                        (lastValue, lastIndex) = (value, label == 0 ? -1 : known ?? -1)
                    }
                    out[first + offset] = lastIndex
                }
            }
            initialized = out.count
        }
        guard unnamed.isEmpty else { throw .unnamedLabels(path: image.path, labels: unnamed.sorted()) }
        self.name = name
        self.regions = regions
        self.grid = RegionGrid(
            shape: Array(shape.prefix(3)), affine: image.affine, regionIndex: indices, regionCount: regions.count)
    }
}

extension Atlas {
    /// The built-in atlas's name, which masks are measured over unless a manifest names another.
    public static let defaultName = "aal2"

    /// The files of AAL2 as shipped in the binary: the label image (`.nii.gz`) and its TSV.
    public static var aal2Files: (image: [UInt8], labels: [UInt8]) {
        (BuiltinAtlasFiles.aal2Image, BuiltinAtlasFiles.aal2Labels)
    }

    /// AAL2 on Clinica's 121 x 145 x 121, 1.5 mm grid, as shipped in the binary.
    public static func aal2() throws -> Atlas {
        try Atlas(name: defaultName, imageBytes: aal2Files.image, labelsBytes: aal2Files.labels)
    }

    /// An atlas from the bytes of its label image and TSV (as a database stores them).
    public init(name: String, imageBytes: [UInt8], labelsBytes: [UInt8]) throws {
        let image = try NIfTIImage(fileBytes: imageBytes, path: "\(name) atlas image", maximumVoxels: MaskSizeLimit.atlasVoxels)
        let regions = try LabelTable.parse(String(decoding: labelsBytes, as: UTF8.self), path: "\(name) atlas labels")
        try self.init(name: name, image: image, regions: regions)
    }

    /// An atlas from a label image (`.nii` or `.nii.gz`) and its label TSV.
    public static func load(imagePath: String, labelsPath: String) throws -> Atlas {
        let image = try NIfTIImage(contentsOf: imagePath, maximumVoxels: MaskSizeLimit.atlasVoxels)
        let regions = try LabelTable.parse(String(decoding: try readLabels(labelsPath), as: UTF8.self), path: labelsPath)
        let fileName = imagePath.split(separator: "/").last.map(String.init) ?? imagePath
        return try Atlas(name: fileName, image: image, regions: regions)
    }

    private static func readLabels(_ path: String) throws(AtlasError) -> [UInt8] {
        do {
            return try FileBytes.read(path)
        } catch {
            guard case .unreadable(_, let reason) = error else {
                throw .unreadableLabels(path: path, reason: "\(error)")
            }
            throw .unreadableLabels(path: path, reason: reason)
        }
    }
}
