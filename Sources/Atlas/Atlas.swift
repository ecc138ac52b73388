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
        var indexOfLabel: [Int: Int32] = [:]
        for (index, region) in regions.enumerated() { indexOfLabel[region.label] = Int32(index) }
        let values = image.doubleVoxels()
        var indices = [Int32](repeating: -1, count: values.count)
        var unnamed = Set<Int>()
        // Consecutive voxels mostly share a label: remember the last lookup.
        var lastValue = 0.0, lastIndex: Int32 = -1
        for (voxel, value) in values.enumerated() {
            if value == lastValue {
                indices[voxel] = lastIndex
                continue
            }
            guard value == value.rounded(), abs(value) < 1e15 else {
                throw .nonIntegerLabel(path: image.path, value: value)
            }
            let label = Int(value)
            let index: Int32
            if label == 0 {
                index = -1
            } else if let known = indexOfLabel[label] {
                index = known
            } else {
                unnamed.insert(label)
                index = -1
            }
            (lastValue, lastIndex) = (value, index)
            indices[voxel] = index
        }
        guard unnamed.isEmpty else { throw .unnamedLabels(path: image.path, labels: unnamed.sorted()) }
        self.name = name
        self.regions = regions
        self.grid = RegionGrid(
            shape: Array(shape.prefix(3)), affine: image.affine, regionIndex: indices, regionCount: regions.count)
    }
}

extension Atlas {
    /// The files of AAL2 as shipped in the binary: the label image (`.nii.gz`) and its TSV.
    public static var aal2Files: (image: [UInt8], labels: [UInt8]) {
        (BuiltinAtlasFiles.aal2Image, BuiltinAtlasFiles.aal2Labels)
    }

    /// AAL2 on Clinica's 121 x 145 x 121, 1.5 mm grid, as shipped in the binary.
    public static func aal2() throws -> Atlas {
        try Atlas(name: "aal2", imageBytes: aal2Files.image, labelsBytes: aal2Files.labels)
    }

    /// An atlas from the bytes of its label image and TSV (as a database stores them).
    public init(name: String, imageBytes: [UInt8], labelsBytes: [UInt8]) throws {
        let image = try NIfTIImage(fileBytes: imageBytes, path: "\(name) atlas image")
        let regions = try LabelTable.parse(String(decoding: labelsBytes, as: UTF8.self), path: "\(name) atlas labels")
        try self.init(name: name, image: image, regions: regions)
    }

    /// An atlas from a label image (`.nii` or `.nii.gz`) and its label TSV.
    public static func load(imagePath: String, labelsPath: String) throws -> Atlas {
        let image = try NIfTIImage(contentsOf: imagePath)
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
