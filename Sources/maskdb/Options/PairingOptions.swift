import Analysis
import ArgumentParser
import CLISupport
import Study
import StudyCore

/// `--match FIELD` and `--ignore FIELD`: which fields two masks must agree on to pair.
struct PairingOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Pairs must also agree on this field (repeatable), e.g. an annotation.",
            discussion: "By default pairs agree on every setting (params.NAME included) and on the model but the field compared, never on annotations.",
            valueName: "field"),
        transform: PairingOptions.field)
    var match: [StudyField] = []

    @Option(help: ArgumentHelp("Pairs may differ in this setting (repeatable): pool over it.", valueName: "field"), transform: PairingOptions.field)
    var ignore: [StudyField] = []

    /// The rule.
    var pairing: Pairing { Pairing(match: match, ignore: ignore) }

    /// The options as `StudySelection` checks them: each parameter or annotation must be one some mask has.
    var fields: [(option: String, field: StudyField?)] {
        match.map { ("--match", $0) } + ignore.map { ("--ignore", $0) }
    }

    /// Refuses a field both matched and ignored, or the compared one.
    func check(comparing compared: [StudyField]) throws {
        if let both = match.first(where: ignore.contains) {
            throw ValidationError("'--match \(both)' and '--ignore \(both)' contradict each other; give one")
        }
        if let field = (match + ignore).first(where: compared.contains) {
            throw ValidationError("'\(match.contains(field) ? "--match" : "--ignore") \(field)': \(field) is the field compared; pairs differ in it by definition")
        }
    }

    /// Prints what the analysis pooled over and why comparisons have no pair, on stderr.
    static func printNotes(_ notes: [String]) {
        for note in notes { Output.error("maskdb: note: \(note)") }
    }

    private static func field(_ text: String) throws -> StudyField {
        guard let field = StudyField(name: text), field.role != .record, field.role != .metric else {
            throw ValidationError("use a setting (\(StudyField.compared.map(\.name).joined(separator: ", ")), params.NAME), semantics or annotation.NAME")
        }
        return field
    }
}
