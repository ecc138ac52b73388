import Atlas
import NIfTI
import StudyCore

/// A maskdb database, whatever holds it: the queries the commands and the study logic
/// need. The SQLite store (the embedded default) is the first conformer; what is
/// particular to a backend (its file, its pragmas, its SQL) stays inside it.
public protocol StudyStore: Sendable {
    /// Where the database is, as users name it (a file's path).
    var location: String { get }

    /// The local file holding the database, if one does: an import never reads it as a row's file.
    var file: String? { get }

    /// The names of the studies, sorted.
    func studyNames() throws -> [String]

    /// The names of the registered atlases, sorted.
    func atlasNames() throws -> [String]

    /// The recorded masks that pass `filter`, by id.
    func masks(where filter: FilterExpression) throws -> [MaskRecord]

    /// The recorded masks with these ids, by id.
    func masks(ids: [Int64]) throws -> [MaskRecord]

    /// The manifest each of these masks was imported from, by mask id: the path the audit
    /// log holds for the import that added it (absolute, or `(standard input)`); a mask
    /// whose import names no manifest is left out.
    func manifestPaths(maskIDs: [Int64]) throws -> [Int64: String]

    /// The recorded models that pass `filter`, by study, fold, run and name.
    func models(where filter: FilterExpression) throws -> [ModelRecord]

    /// The names of the parameters any recorded mask (or model) has.
    func parameterNames(of records: RecordKind) throws -> Set<String>

    /// The names of every annotation some recorded mask has.
    func annotationNames() throws -> Set<String>

    /// The masks passing `filter` with everything the analyses read of them, as one
    /// consistent view (no import lands between its parts).
    func studyData(where filter: FilterExpression) throws -> StudyData

    /// The same, with every mask's density vector over atlas `atlas` (a registered atlas's
    /// name) instead of its import atlas, each record's `atlas` reading so; nil is
    /// `studyData(where:)`. A selected record without densities over it is
    /// `StoreError.notMeasured`.
    func studyData(where filter: FilterExpression, atlas: String?) throws -> StudyData

    /// Every evaluation of the given masks, in the order they were recorded.
    func evaluations(maskIDs: [Int64]) throws -> [EvaluationRecord]

    /// The density vectors of the given masks over their atlas's `labels` (ascending), by
    /// mask id. A label without a stored density reads as nil with 0 voxels, so every
    /// vector stays aligned with `labels`.
    func densityVectors(maskIDs: [Int64], labels: [Int]) throws -> [Int64: StoredVector]

    /// A recorded mask's stored density vector over its atlas, in ascending label order.
    func storedDensities(maskID: Int64) throws -> RegionDensities

    /// A recorded mask's stored density vector over the registered atlas `atlas` (nil: its
    /// import atlas); `StoreError.notMeasured` when it has none over it.
    func storedDensities(maskID: Int64, atlas: String?) throws -> RegionDensities

    /// Every registered atlas, by name, with how many records are measured over it.
    func atlasSummaries() throws -> [AtlasSummary]

    /// The regions of an atlas, in ascending label order.
    func atlasRegions(named name: String) throws -> [(label: Int, name: String)]

    /// A registered atlas, rebuilt from its stored files.
    func atlas(named name: String) throws -> Atlas

    /// The stored bytes of a recorded mask's NIfTI file, exactly as imported.
    func maskFileBytes(maskID: Int64) throws -> [UInt8]

    /// A stored file (a model's weights, say) by its sha256, checked against it; nil when none is stored.
    func storedBlob(sha256: String) throws -> [UInt8]?

    /// The grid a recorded mask is measured on when it is not its file's header's (a
    /// manifest's `grid` column); nil for a record measured on its own header.
    func maskGrid(maskID: Int64) throws -> MaskGrid?

    /// The grid each of these recorded masks is measured on, by mask id, read without its
    /// file: its recorded sizes and affine, and the reference image (`maskGrid`) when they
    /// are not its header's. An id not recorded is left out.
    func measuredGrids(maskIDs: [Int64]) throws -> [Int64: MeasuredGrid]

    /// The one recorded mask a target names: a mask id, a sha256, or a sha256 prefix of at
    /// least 8 hex digits.
    func resolveRecordedMask(_ target: String) throws -> Int64

    /// The masks a target names: a file (hashed), a mask id, or a sha256 (prefix). A file
    /// may be recorded under several settings: every record is returned.
    func resolveMasks(_ target: String) throws -> [Int64]

    /// Every record of the file, mask id or sha256 (prefix) `target` names.
    func audit(_ target: String) throws -> [AuditRecord]

    /// The life of the file, mask id or sha256 (prefix) `target` names, from the audit log,
    /// oldest first: each import that added or replaced one of its records, each amendment
    /// and removal, with the records' fields before and after. A removed file has a
    /// history too; a target the log never saw is `StoreError.notRecorded`.
    func history(_ target: String) throws -> [HistoryEvent]

    /// Checks the whole database; returns the problems found.
    func verify() throws -> [String]

    /// The files the database has measured (their densities can be copied, not recomputed).
    func measuredFiles() throws -> Set<MeasuredFile>

    /// A registered atlas's id and stored files.
    func atlasFiles(named name: String) throws -> StoredAtlasFiles

    /// Runs `body` in one write transaction: all of it is written, or none of it.
    func write<T>(_ body: (any StoreTransaction) throws -> T) throws -> T

    /// Gives the space of deleted records back to the file system (SQLite: VACUUM).
    func compact() throws

    /// Prepares the database for use: registers the built-in atlases and, when `study` is
    /// given, the study. Returns true when anything was added. Safe to repeat.
    @discardableResult
    func initialize(study: String?, command: String) throws -> Bool
}

/// The grid a recorded mask is measured on: its sizes and affine, and the reference image
/// they come from when they are not its file header's.
public struct MeasuredGrid: Sendable, Equatable {
    /// The sizes and affine.
    public var grid: NIfTIGrid
    /// The reference image, for a record measured on another image's grid (nil: its own header's).
    public var reference: MaskGrid?

    /// A record's grid.
    public init(grid: NIfTIGrid, reference: MaskGrid?) {
        self.grid = grid
        self.reference = reference
    }
}

extension StudyStore {
    /// Each mask's grid from `maskGrid`, or else from its file's header (read and checked):
    /// for a backend without a query of its own, at the cost of reading the files.
    public func measuredGrids(maskIDs: [Int64]) throws -> [Int64: MeasuredGrid] {
        var grids: [Int64: MeasuredGrid] = [:]
        for id in maskIDs {
            if let reference = try maskGrid(maskID: id) {
                grids[id] = MeasuredGrid(grid: reference.grid, reference: reference)
            } else {
                grids[id] = MeasuredGrid(grid: try NIfTIGrid(fileBytes: try maskFileBytes(maskID: id), path: "mask \(id)"), reference: nil)
            }
        }
        return grids
    }

    /// Every recorded mask, by id.
    public func masks() throws -> [MaskRecord] { try masks(where: .all) }

    /// Every recorded model.
    public func models() throws -> [ModelRecord] { try models(where: .all) }

    /// A recorded mask's image as it was measured: its stored bytes (checked, as
    /// `maskFileBytes`), placed on its recorded grid when it has one (`maskGrid`), so that
    /// a figure or a new measurement reads it on the grid its densities are over.
    public func measuredImage(maskID: Int64) throws -> NIfTIImage {
        let image = try NIfTIImage(fileBytes: try maskFileBytes(maskID: maskID), path: "mask \(maskID)")
        guard let grid = try maskGrid(maskID: maskID) else { return image }
        return try image.placed(on: grid.grid, gridPath: grid.source)
    }
}

/// The kinds of records that have parameters.
public enum RecordKind: String, Sendable {
    case masks, models

    /// One of them, as messages name it.
    public var singular: String { self == .masks ? "mask" : "model" }
}

/// How a command names a recorded mask: a file, a mask id, a sha256 or a prefix of one.
public enum MaskTarget {
    /// True when `target` reads as a recorded mask's id or sha256 (a prefix of at least 8
    /// hex digits) rather than a file.
    public static func looksRecorded(_ target: String) -> Bool {
        Int64(target) != nil || isSHA256Prefix(target)
    }

    /// 8 to 64 hex digits.
    public static func isSHA256Prefix(_ target: String) -> Bool {
        target.count >= 8 && target.count <= 64 && target.allSatisfy(\.isHexDigit)
    }
}
