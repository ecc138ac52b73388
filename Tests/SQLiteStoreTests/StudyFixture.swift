import Store
import GRDB
import Foundation
import NIfTIFixtures

@testable import SQLiteStore

/// A small study on disk: coarse masks (12 x 10 x 9 voxels of 15 mm, covering AAL2's
/// box) written byte by byte, and the manifests that list them.
struct StudyFixture {
    let scratch: ScratchFolder
    var folder: URL { scratch.url }

    init() throws {
        scratch = try ScratchFolder(prefix: "maskdb-store")
    }

    /// Writes a keep mask whose voxel i holds `(i * seed) % 97 / 96`, gzip-compressed.
    @discardableResult
    func mask(_ name: String, seed: Int, values: [Float]? = nil) throws -> String {
        var file = FixtureFile()
        file.shape = [12, 10, 9]
        file.encode(float32: values ?? (0..<1080).map { Float(($0 * seed) % 97) / 96 })
        file.sformCode = 4
        file.srows = [[15, 0, 0, -90], [0, 15, 0, -126], [0, 0, 15, -72]]
        let url = folder.appendingPathComponent(name)
        try Data(StoredGzip.member(file.bytes)).write(to: url)
        return url.path
    }

    /// Writes a manifest from a header and rows and returns its path.
    func manifest(_ name: String, _ lines: [String]) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
        return url.path
    }

    /// A 2-fold x 2-run study with two λ1 values: 8 masks and their manifest.
    func smallStudy() throws -> String {
        var lines = ["path\tfold\trun\tlambda1\tlambda2\tsubjects\tsetting.optimizer"]
        for fold in 0..<2 {
            for run in 0..<2 {
                for (k, lambda1) in ["0.1", "0.01"].enumerated() {
                    let name = "f\(fold)r\(run)l\(k).nii.gz"
                    try mask(name, seed: 3 + fold * 7 + run * 13 + k * 29)
                    lines.append("\(name)\t\(fold)\t\(run)\t\(lambda1)\t0.001\tAD\tadam")
                }
            }
        }
        return try manifest("masks.tsv", lines)
    }

    /// A database file in the fixture's folder.
    var databasePath: String { folder.appendingPathComponent("study.sqlite").path }
}

/// Where a test's store lives: both kinds must behave the same.
enum StoreKind: String, CaseIterable, Sendable {
    case memory, disk

    func open(_ fixture: StudyFixture) throws -> SQLiteStore {
        switch self {
        case .memory: try SQLiteStore.inMemory()
        case .disk: try SQLiteStore.open(path: fixture.databasePath, create: true)
        }
    }
}

extension SQLiteStore {
    /// `SELECT count(*) FROM <from>`, for tests.
    func count(_ from: String) throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(from)") ?? 0 }
    }
}
