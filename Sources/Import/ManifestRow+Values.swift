import Store
import Formatting
import StudyCore

/// Why one manifest row cannot be imported; becomes `row N: <path>: <reason>`.
struct RowRejection: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

extension Manifest.Row {
    /// A required whole number, at least `minimum`.
    func integer(_ column: String, minimum: Int = 0) throws(RowRejection) -> Int {
        guard let text = self[column] else { throw RowRejection("\(column) is empty") }
        // pandas writes whole numbers of a float column as 1.0.
        guard let number = NumberText.decimal(text), number == number.rounded(), abs(number) < 1e15, Int(number) >= minimum else {
            throw RowRejection("\(column) '\(Manifest.shown(text))' is not a whole number of at least \(minimum)")
        }
        return Int(number)
    }

    /// A required finite number, at least `minimum` when given.
    func number(_ column: String, minimum: Double? = nil) throws(RowRejection) -> Double {
        guard let text = self[column] else { throw RowRejection("\(column) is empty") }
        return try Self.number(text, column: column, minimum: minimum)
    }

    /// An optional finite number.
    func optionalNumber(_ column: String, minimum: Double? = nil) throws(RowRejection) -> Double? {
        guard let text = self[column] else { return nil }
        return try Self.number(text, column: column, minimum: minimum)
    }

    /// A required whole number in the column `field` names.
    func integer(_ field: StudyField, minimum: Int = 0) throws(RowRejection) -> Int {
        try integer(field.name, minimum: minimum)
    }

    /// A required finite number in the column `field` names.
    func number(_ field: StudyField, minimum: Double? = nil) throws(RowRejection) -> Double {
        try number(field.name, minimum: minimum)
    }

    /// An optional finite number in the column `field` names.
    func optionalNumber(_ field: StudyField, minimum: Double? = nil) throws(RowRejection) -> Double? {
        try optionalNumber(field.name, minimum: minimum)
    }

    private static func number(_ text: String, column: String, minimum: Double?) throws(RowRejection) -> Double {
        guard let value = NumberText.decimal(text) else { throw RowRejection("\(column) '\(Manifest.shown(text))' is not a number") }
        if let minimum, value < minimum {
            throw RowRejection("\(column) is \(text); it must be at least \(NumberText.exact(minimum))")
        }
        return value
    }
}
