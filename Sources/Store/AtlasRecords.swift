import Atlas
import NIfTI
import StudyCore

/// A registered atlas as `maskdb atlases` lists it.
public struct AtlasSummary: Sendable, Equatable {
    public var name: String
    /// How many regions its label table names.
    public var regions: Int
    /// The sha256s of its label image and label table.
    public var imageSHA256: String, labelsSHA256: String
    /// Its image's grid sizes (nil when its stored image no longer reads).
    public var dims: [Int]?
    /// How many records have densities over it.
    public var measured: Int
    /// How many records were imported against it (their default atlas).
    public var imported: Int

    /// A summary.
    public init(name: String, regions: Int, imageSHA256: String, labelsSHA256: String, dims: [Int]?, measured: Int, imported: Int) {
        self.name = name
        self.regions = regions
        self.imageSHA256 = imageSHA256
        self.labelsSHA256 = labelsSHA256
        self.dims = dims
        self.measured = measured
        self.imported = imported
    }
}

/// A recorded mask `measure` computes densities of: what its stored bytes are measured with.
public struct MeasureTarget: Sendable {
    public var maskID: Int64
    /// The sha256 its stored file must hash to.
    public var sha256: String
    public var semantics: MaskSemantics
    /// The grid it is measured on, when not its file's header's.
    public var grid: MaskGrid?

    /// A target.
    public init(maskID: Int64, sha256: String, semantics: MaskSemantics, grid: MaskGrid?) {
        self.maskID = maskID
        self.sha256 = sha256
        self.semantics = semantics
        self.grid = grid
    }

    /// Records with equal keys have equal densities over any atlas (the same bytes, semantics and grid): measured once.
    public var key: String { [sha256, semantics.rawValue, grid?.key ?? ""].joined(separator: "\0") }
}

/// The commands the atlas log records.
public enum AtlasCommandKind: String, Sendable {
    /// `maskdb atlas add`.
    case atlas
    /// `maskdb measure`.
    case measure
    /// `maskdb atlas rm`.
    case remove
}

/// A registered atlas's row: its id and its files' sha256s.
public struct RegisteredAtlas: Sendable, Equatable {
    public var id: Int64
    public var imageSHA256: String, labelsSHA256: String

    /// A registered atlas.
    public init(id: Int64, imageSHA256: String, labelsSHA256: String) {
        self.id = id
        self.imageSHA256 = imageSHA256
        self.labelsSHA256 = labelsSHA256
    }
}
