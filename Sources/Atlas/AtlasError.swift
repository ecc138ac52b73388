import Formatting

/// What can be wrong with an atlas, or with a mask measured against one.
public enum AtlasError: Error, Equatable, Sendable {
    /// The label table could not be read.
    case unreadableLabels(path: String, reason: String)
    /// The label table is not a `roi_value` / `roi_name` TSV.
    case badLabels(path: String, detail: String)
    /// The atlas image holds values that are not whole numbers.
    case nonIntegerLabel(path: String, value: Double)
    /// The atlas image holds labels the table does not name.
    case unnamedLabels(path: String, labels: [Int])
    /// The label table names labels no voxel of the image has (`path`: the table).
    case labelsNotInImage(path: String, labels: [Int], image: String)
    /// The atlas image is not a single 3D volume.
    case atlasNotThreeDimensional(path: String, shape: [Int])
    /// An affine cannot be inverted, so grids cannot be matched.
    case singularAffine(path: String)
    /// The mask holds several volumes.
    case maskHasVolumes(path: String, shape: [Int])
    /// The mask holds NaN voxels.
    case maskHasNaN(path: String, count: Int)
    /// The mask holds values outside [0, 1] by more than the tolerance.
    case maskOutOfRange(path: String, count: Int, lowest: Double, highest: Double)
    /// The attribution map holds NaN or infinite voxels (it may hold any finite value).
    case mapNotFinite(path: String, count: Int)
    /// No voxel of the mask falls inside a labelled region of the atlas.
    case noOverlap(path: String, atlas: String)
}

extension AtlasError: CustomStringConvertible {
    /// The message: the file, what is wrong, and what to do.
    public var description: String { "\(path): \(reason)" }

    /// What is wrong and what to do, without the file's name (for lines that name it already).
    public var reason: String {
        switch self {
        case let .unreadableLabels(_, reason):
            "cannot read the label table: \(reason)"
        case let .badLabels(_, detail):
            "not a label table with roi_value and roi_name columns: \(detail)"
        case let .nonIntegerLabel(_, value):
            "atlas voxel value \(value) is not a whole-number label; is this a label image?"
        case let .unnamedLabels(_, labels):
            "labels \(Self.list(labels)) have no row in the label table; add them or use the matching table"
        case let .labelsNotInImage(_, labels, image):
            "labels \(Self.list(labels)) have no voxel in \(image); is this the table of that image?"
        case let .atlasNotThreeDimensional(_, shape):
            "an atlas must be one 3D volume, this image is \(Self.shape(shape))"
        case .singularAffine:
            "the affine cannot be inverted (a zero voxel size?); fix the sform/qform"
        case let .maskHasVolumes(_, shape):
            shape.count == 4 && shape[0] == 1
                // ClinicaDL's maps: a channel axis first, and an identity affine that does not place them.
                ? "a mask is one 3D volume, this image is \(Self.shape(shape)): a leading axis of length 1 is a channel axis (ClinicaDL saves its maps so, with an identity affine); measure it on the grid of the images it was computed on (a manifest's grid column, densities --grid-from)"
                : "a mask is one 3D volume, this image is \(Self.shape(shape)); split it into single volumes first"
        case let .maskHasNaN(_, count):
            "\(count) voxel\(count == 1 ? " is" : "s are") NaN; a mask must hold numbers in [0, 1]"
        case let .maskOutOfRange(_, count, lowest, highest):
            "\(count) voxel\(count == 1 ? " is" : "s are") outside [0, 1] (\(Self.span(lowest, highest))); a mask must hold numbers in [0, 1]"
                + (Self.looksLike255(lowest, highest) ? "; it looks saved as 0..255: divide it by 255 and save it as floats" : "")
        case let .mapNotFinite(_, count):
            "\(count) voxel\(count == 1 ? " is" : "s are") NaN or infinite; an attribution map must hold finite numbers"
        case let .noOverlap(_, atlas):
            "the mask does not overlap any region of atlas \(atlas); check its affine and that it is in the atlas's space"
        }
    }

    /// True for values out of range that look like 8-bit intensities, which want rescaling, not clamping.
    public var suggestsRescaling: Bool {
        if case let .maskOutOfRange(_, _, lowest, highest) = self { return Self.looksLike255(lowest, highest) }
        return false
    }

    /// Whole numbers from 0 up to at most 255 (above 1): a mask saved as 8-bit image
    /// intensities, which clamping would turn into 1 wherever it is not 0.
    static func looksLike255(_ lowest: Double, _ highest: Double) -> Bool {
        lowest >= 0 && highest > 1 && highest <= 255 && highest == highest.rounded()
    }

    /// The file the error is about.
    public var path: String {
        switch self {
        case .unreadableLabels(let path, _),
             .badLabels(let path, _),
             .nonIntegerLabel(let path, _),
             .unnamedLabels(let path, _),
             .labelsNotInImage(let path, _, _),
             .atlasNotThreeDimensional(let path, _),
             .singularAffine(let path),
             .maskHasVolumes(let path, _),
             .maskHasNaN(let path, _),
             .maskOutOfRange(let path, _, _, _),
             .mapNotFinite(let path, _),
             .noOverlap(let path, _):
            path
        }
    }

    private static func span(_ lowest: Double, _ highest: Double) -> String {
        lowest == highest
            ? "value \(NumberText.exact(lowest))" : "values from \(NumberText.exact(lowest)) to \(NumberText.exact(highest))"
    }

    private static func shape(_ shape: [Int]) -> String { shape.map(String.init).joined(separator: " x ") }

    private static func list(_ labels: [Int]) -> String {
        let shown = labels.prefix(8).map(String.init).joined(separator: ", ")
        return labels.count > 8 ? shown + " and \(labels.count - 8) more" : shown
    }
}
