import Atlas
import Foundation
import NIfTI
import Store
import StudyCore
import Synchronization

/// What `atlas add` did.
public struct AtlasAddition: Sendable, Equatable {
    public var name: String
    public var regions: Int
    /// The image's grid sizes.
    public var dims: [Int]
    /// False when the same name and files were registered already: nothing changed.
    public var added: Bool
}

/// What `measure` did.
public struct MeasureSummary: Sendable, Equatable {
    public var atlas: String
    /// How many records the selection holds.
    public var selected: Int
    /// How many of them were measured now (densities written).
    public var measured: Int
    /// How many had densities over the atlas already (left as they are).
    public var alreadyMeasured: Int
    /// How many stored files were decoded (records of the same file, semantics and grid share one).
    public var filesDecoded: Int
    /// True when nothing was written because it was a dry run.
    public var dryRun: Bool
}

extension StudyStore {
    /// Registers the atlas of the label image at `imagePath` and the label TSV at
    /// `labelsPath` under `name`: both files stored as blobs (content-addressed), its
    /// regions, and an atlas-log entry, in one transaction. The image must be one 3D volume
    /// of whole-number labels, each named by the table, and each label the table names must
    /// have a voxel. The same name with the same files changes nothing (`added` false); with
    /// other files it is refused.
    public func addAtlas(name: String, imagePath: String, labelsPath: String, command: String) throws -> AtlasAddition {
        guard Self.isAtlasName(name) else { throw ImportError.badAtlasName(name: name) }
        let imageBytes = try FileBytes.read(imagePath, maximumBytes: MaskSizeLimit.fileBytes(voxels: MaskSizeLimit.atlasVoxels))
        let labelsBytes: [UInt8]
        do {
            labelsBytes = try FileBytes.read(labelsPath, maximumBytes: Manifest.maximumRecordBytes * 16)
        } catch {
            throw AtlasError.unreadableLabels(path: labelsPath, reason: error.reason)
        }
        let image = try NIfTIImage(fileBytes: imageBytes, path: imagePath, maximumVoxels: MaskSizeLimit.atlasVoxels)
        let regions = try LabelTable.parse(String(decoding: labelsBytes, as: UTF8.self), path: labelsPath)
        let atlas = try Atlas(name: name, image: image, regions: regions)
        let absent = zip(regions, atlas.grid.voxelCounts).filter { $0.1 == 0 }.map(\.0.label)
        guard absent.isEmpty else { throw AtlasError.labelsNotInImage(path: labelsPath, labels: absent, image: imagePath) }
        let (imageSHA256, labelsSHA256) = (SHA256Digest.hex(imageBytes), SHA256Digest.hex(labelsBytes))
        try initialize(study: nil, command: command)
        let added = try write { transaction -> Bool in
            if let registered = try transaction.registeredAtlas(named: name) {
                guard registered.imageSHA256 == imageSHA256, registered.labelsSHA256 == labelsSHA256 else {
                    throw ImportError.atlasNameTaken(name: name, imageSHA256: registered.imageSHA256, labelsSHA256: registered.labelsSHA256)
                }
                return false
            }
            try transaction.storeBlob(imageBytes, sha256: imageSHA256)
            try transaction.storeBlob(labelsBytes, sha256: labelsSHA256)
            let id = try transaction.addAtlas(name: name, imageSHA256: imageSHA256, labelsSHA256: labelsSHA256, regions: regions)
            try transaction.logAtlasCommand(.atlas, command: command, atlasID: id, count: regions.count)
            return true
        }
        return AtlasAddition(name: name, regions: regions.count, dims: atlas.grid.shape, added: added)
    }

    /// Letters, digits, `.`, `_` and `-`, starting with a letter or digit: a name that
    /// reads the same in a shell, a `--where` and a file name.
    static func isAtlasName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.count <= 64 else { return false }
        let allowed = { (c: Unicode.Scalar) in c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c) || "._-".unicodeScalars.contains(c)) }
        return name.unicodeScalars.allSatisfy(allowed) && first != "." && first != "_" && first != "-"
    }

    /// Computes the densities over the registered atlas `atlasName` of every record
    /// `filter` selects that has none over it yet, from the stored files (each checked
    /// against its sha256 before it is decoded, and measured on its recorded grid), and
    /// writes them, with an atlas-log entry, in one transaction: any failure (a damaged
    /// file, a record that does not overlap the atlas) writes nothing. Records of one file,
    /// semantics and grid are decoded once. Files are decoded on `options.jobs` threads
    /// while the transaction's thread reads the next ones and writes, at most 2 x jobs
    /// files held at once.
    public func measure(atlas atlasName: String, filter: FilterExpression, options: ImportOptions) throws -> MeasureSummary {
        let stored = try atlasFiles(named: atlasName)
        let calculator = BackgroundValue {
            // Checked before it is decoded: densities over altered bytes would be wrong.
            let files = try stored.checked(name: atlasName)
            return DensityCalculator(atlas: try Atlas(name: atlasName, imageBytes: files.image, labelsBytes: files.labels))
        }
        let selected = try masks(where: filter).map(\.id)
        var summary = MeasureSummary(
            atlas: atlasName, selected: selected.count, measured: 0, alreadyMeasured: 0, filesDecoded: 0, dryRun: options.dryRun)
        try write(dryRun: options.dryRun) { transaction in
            let targets = try transaction.unmeasuredMasks(ids: selected, atlasID: stored.id)
            // Logged first, so that each vector names the command that measured it.
            let entry = try transaction.logAtlasCommand(.measure, command: options.command, atlasID: stored.id, count: targets.count)
            // One decode per file, semantics and grid; its densities go to each of its records.
            var units: [(target: MeasureTarget, ids: [Int64])] = []
            var unitOfKey: [String: Int] = [:]
            for target in targets {
                if let unit = unitOfKey[target.key] {
                    units[unit].ids.append(target.maskID)
                } else {
                    unitOfKey[target.key] = units.count
                    units.append((target, [target.maskID]))
                }
            }
            let jobs = max(1, min(options.jobs, units.count))
            let files = Handoff<[UInt8]>()
            let work = units.map(\.target)
            let pipeline = RowPipeline(count: units.count, jobs: jobs) { index in
                let target = work[index]
                let bytes = try files.take(index)
                let record = "mask \(target.maskID)"
                let actual = SHA256Digest.hex(bytes)
                guard actual == target.sha256 else { throw StoreError.damagedFile(record: record, actual: actual, recorded: target.sha256) }
                var image = try NIfTIImage(fileBytes: bytes, path: record)
                if let grid = target.grid { image = try image.placed(on: grid.grid, gridPath: grid.source) }
                return try calculator.get().densities(of: image, semantics: target.semantics)
            }
            defer {
                files.close()
                pipeline.stop()
            }
            // The files are read here, on the transaction's connection, a window ahead of the one written.
            var read = 0
            for index in units.indices {
                while read < min(units.count, index + 2 * jobs) {
                    files.put(read, try transaction.maskFile(units[read].target.maskID))
                    read += 1
                }
                let densities = try pipeline.take(index).get()
                for id in units[index].ids { try transaction.addDensities(densities, maskID: id, atlasID: stored.id, measuredBy: entry) }
                options.progress?(index + 1, units.count)
            }
            summary.measured = targets.count
            summary.alreadyMeasured = selected.count - targets.count
            summary.filesDecoded = units.count
        }
        return summary
    }
}

/// What `atlas rm` did (or, in a dry run, would do).
public struct AtlasRemoval: Sendable, Equatable {
    public var name: String
    /// How many records' densities over it went.
    public var vectors: Int
    public var dryRun: Bool

    public init(name: String, vectors: Int, dryRun: Bool) {
        self.name = name
        self.vectors = vectors
        self.dryRun = dryRun
    }
}

extension StudyStore {
    /// Removes the registered atlas `name`: its regions and every record's densities over it,
    /// with an atlas-log entry, in one transaction (its files stay stored until `maskdb gc`;
    /// `measure` after `atlas add` brings the densities back). The built-in AAL2 and an atlas
    /// records were imported against are refused: their densities are those records'.
    public func removeAtlas(name: String, command: String, dryRun: Bool) throws -> AtlasRemoval {
        guard name != Atlas.defaultName else { throw ImportError.builtinAtlas(name: name) }
        var removal = AtlasRemoval(name: name, vectors: 0, dryRun: dryRun)
        let known = try atlasNames()  // read before the transaction, which cannot read beside itself
        try write(dryRun: dryRun) { transaction in
            guard let atlas = try transaction.registeredAtlas(named: name) else {
                throw StoreError.unknownAtlas(name: name, known: known)
            }
            let imported = try transaction.recordsImported(atlasID: atlas.id)
            guard imported == 0 else { throw ImportError.atlasInUse(name: name, records: imported) }
            // Logged before the atlas goes, under its name, with the vectors that go.
            try transaction.logAtlasCommand(.remove, command: command, atlasID: atlas.id, count: try transaction.densityVectors(atlasID: atlas.id))
            removal.vectors = try transaction.removeAtlas(atlasID: atlas.id)
        }
        return removal
    }
}

/// Values handed from one thread to the workers, by index: `take` waits until `put` gave
/// its index's value, or throws once the handoff is closed (the command failed).
final class Handoff<Value: Sendable>: Sendable {
    private struct State {
        var values: [Int: Value] = [:]
        var arrivals: [Int: DispatchSemaphore] = [:]
        var closed = false

        mutating func arrival(_ index: Int) -> DispatchSemaphore {
            if let known = arrivals[index] { return known }
            let made = DispatchSemaphore(value: 0)
            arrivals[index] = made
            return made
        }
    }

    /// Thrown by `take` once the handoff is closed.
    struct Closed: Error {}

    private let state = Mutex(State())

    /// Gives `index` its value.
    func put(_ index: Int, _ value: Value) {
        state.withLock { state in
            state.values[index] = value
            return state.arrival(index)
        }.signal()
    }

    /// `index`'s value, once given.
    func take(_ index: Int) throws -> Value {
        let arrival = try state.withLock { state throws -> DispatchSemaphore in
            if state.closed { throw Closed() }
            return state.arrival(index)
        }
        arrival.wait()
        return try state.withLock { state throws -> Value in
            state.arrivals[index] = nil
            guard let value = state.values.removeValue(forKey: index) else { throw Closed() }
            return value
        }
    }

    /// Wakes every waiting `take`, which throws unless its value was given.
    func close() {
        let waiting = state.withLock { state in
            state.closed = true
            return Array(state.arrivals.values)
        }
        for arrival in waiting { arrival.signal() }
    }
}
