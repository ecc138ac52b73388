import Formatting
import GRDB
import StudyCore

/// The SQL functions every connection of the store has: filters compare parameter text
/// as numbers through them, and migration 0004 rewrites earlier parameters with them.
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

    /// Defines them on a new connection.
    static func define(in db: Database) {
        db.add(function: number)
        db.add(function: parametersAsText)
    }
}
