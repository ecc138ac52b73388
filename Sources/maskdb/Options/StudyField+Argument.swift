import Store
import ArgumentParser
import StudyCore

extension StudyField: ExpressibleByArgument {
    /// A field's name as written on the command line: `lambda1`, `params.NAME`.
    public init?(argument: String) { self.init(name: argument) }

    /// The default as help shows it.
    public var defaultValueDescription: String { name }

    /// Shells complete the fields analyses compare by.
    public static var defaultCompletionKind: CompletionKind { .list(compared.map(\.name)) }

    /// Reads a field analyses compare by (`--by`, `--rows`, `--cols`), saying which ones
    /// there are when the text names none.
    static func compared(_ text: String) throws -> StudyField {
        guard let field = StudyField(name: text), field.isCompared else {
            throw ValidationError("use one of \(compared.map(\.name).joined(separator: ", ")) or \(parameterPrefix)NAME")
        }
        return field
    }
}
