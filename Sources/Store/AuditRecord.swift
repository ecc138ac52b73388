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
    /// Its line in that manifest.
    public var manifestLine: Int?
    /// The grid it is measured on, when not its file's header's.
    public var grid: MaskGrid?

    /// A record.
    public init(
        mask: MaskRecord, model: ModelRecord, importCommand: String, manifestPath: String?, manifestLine: Int?, grid: MaskGrid? = nil
    ) {
        self.grid = grid
        self.mask = mask
        self.model = model
        self.importCommand = importCommand
        self.manifestPath = manifestPath
        self.manifestLine = manifestLine
    }
}

