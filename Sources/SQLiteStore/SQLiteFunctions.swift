import Formatting
import GRDB
import Store
import StudyCore

/// The SQL functions every connection of the store has: filters compare parameter text
/// as numbers through them, migration 0004 rewrites earlier parameters with them, and
/// migration 0006 packs the stored densities with them.
enum SQLiteFunctions {
    /// `maskdb_number(x)`: a number as itself, text that reads as a decimal number as that
    /// number (`'007'` → 7), NULL for anything else, so `params.lr > 0.001` compares
    /// numbers and never text with a number (which SQLite orders by type, not value).
    static let number = DatabaseFunction("maskdb_number", argumentCount: 1, pure: true) { values in
        switch values[0].storage {
        case .int64(let n): Double(n)
        case .double(let n): n
        case .string(let text): NumberText.decimal(text)
        default: nil
        }
    }

    /// `maskdb_parameters_as_text(json)`: the parameters with every number turned into its text.
    static let parametersAsText = DatabaseFunction("maskdb_parameters_as_text", argumentCount: 1, pure: true) { values in
        guard case .string(let json) = values[0].storage else { return nil }
        return Parameters(json: json).asText.json
    }

    /// `maskdb_pack_densities(label, density)`: a group's densities packed in label order
    /// (`PackedDensities`).
    static let packDensities = DatabaseFunction("maskdb_pack_densities", argumentCount: 2, pure: true, aggregate: PackDensities.self)

    /// `maskdb_pack_voxels(label, voxels)`: a group's voxel counts packed in label order.
    static let packVoxels = DatabaseFunction("maskdb_pack_voxels", argumentCount: 2, pure: true, aggregate: PackVoxels.self)

    /// Defines them on a new connection.
    static func define(in db: Database) {
        db.add(function: number)
        db.add(function: parametersAsText)
        db.add(function: packDensities)
        db.add(function: packVoxels)
    }
}

/// Collects (label, density) pairs; SQLite 3.40 has no ORDER BY inside an aggregate.
private struct PackDensities: DatabaseAggregate {
    var values: [(label: Int64, density: Double?)] = []

    mutating func step(_ values: [DatabaseValue]) throws {
        self.values.append((Int64.fromDatabaseValue(values[0]) ?? 0, Double.fromDatabaseValue(values[1])))
    }

    func finalize() throws -> (any DatabaseValueConvertible)? {
        PackedDensities.pack(densities: values.sorted { $0.label < $1.label }.map(\.density))
    }
}

/// Collects (label, voxels) pairs.
private struct PackVoxels: DatabaseAggregate {
    var values: [(label: Int64, voxels: Int)] = []

    mutating func step(_ values: [DatabaseValue]) throws {
        self.values.append((Int64.fromDatabaseValue(values[0]) ?? 0, Int.fromDatabaseValue(values[1]) ?? 0))
    }

    func finalize() throws -> (any DatabaseValueConvertible)? {
        PackedDensities.pack(voxels: values.sorted { $0.label < $1.label }.map(\.voxels))
    }
}
