import NIfTI

/// Everything recorded about one mask: its settings, its model and its import.
public struct AuditRecord: Sendable, Equatable {
    /// The mask and its settings.
    public var mask: MaskRecord
    /// The model it was optimized for.
    public var model: ModelRecord
    /// The command line that imported it.
    public var importCommand: String
    /// The manifest it was imported from, when there was one.
    public var manifestPath: String?
    /// Its line in that manifest; for a merged record, its id in the database it came from.
    public var manifestLine: Int?
    /// The database it was merged from (`maskdb merge`), when it was.
    public var mergedFrom: String?
    /// The grid it is measured on, when not its file's header's.
    public var grid: MaskGrid?
    /// Its densities over atlases other than the one it was imported against, by atlas name.
    public var measurements: [AtlasMeasurement]

    /// A record.
    public init(
        mask: MaskRecord, model: ModelRecord, importCommand: String, manifestPath: String?, manifestLine: Int?, grid: MaskGrid? = nil,
        measurements: [AtlasMeasurement] = [], mergedFrom: String? = nil
    ) {
        self.mergedFrom = mergedFrom
        self.grid = grid
        self.measurements = measurements
        self.mask = mask
        self.model = model
        self.importCommand = importCommand
        self.manifestPath = manifestPath
        self.manifestLine = manifestLine
    }
}


/// A record's densities over a registered atlas, computed by `maskdb measure`.
public struct AtlasMeasurement: Sendable, Equatable {
    public var atlas: String
    /// When and by which command line; nil for densities measured before the schema kept it
    /// (0010), or copied from another record of the same file by an import.
    public var at: String?, command: String?

    public init(atlas: String, at: String?, command: String?) {
        self.atlas = atlas
        self.at = at
        self.command = command
    }
}
