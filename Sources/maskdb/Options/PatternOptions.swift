import ArgumentParser

/// `--pattern`, `--root` and `--set`: an import of the files a path pattern finds, instead of a manifest's rows.
struct PatternOptions: ParsableArguments {
    /// The path pattern.
    @Option(help: ArgumentHelp(
        "Import the files PATTERN matches under --root instead of a manifest's rows: {FIELD} captures part of a name into a manifest column (fold, run, lambda1, params.NAME, ...), * is any text within a name, ** any folders (none included), ? one character; names starting with '.' only by a literal '.'.",
        valueName: "PATTERN"))
    var pattern: String?

    /// Where the pattern starts.
    @Option(help: ArgumentHelp("The folder --pattern is relative to; paths are recorded as a manifest in it would give them (default: the current folder).", valueName: "DIR"))
    var root: String?

    /// Constant cells.
    @Option(name: .customLong("set"), help: ArgumentHelp("A column every file --pattern finds gets (repeatable), e.g. --set lambda2=0.001.", valueName: "FIELD=VALUE"))
    var constants: [String] = []

    /// The `--set` constants, split at their first '='.
    var fields: [(field: String, value: String)] {
        constants.map { constant in
            let equals = constant.firstIndex(of: "=")!
            return (String(constant[..<equals]), String(constant[constant.index(after: equals)...]))
        }
    }

    /// A manifest or a pattern, never both; `--root` and `--set` only with a pattern.
    func validate(manifest: String?) throws {
        switch (manifest, pattern) {
        case (.some, .some): throw ValidationError("give a manifest or '--pattern', not both")
        case (nil, nil): throw ValidationError("missing a manifest (or '--pattern PATTERN')")
        case (.some, nil) where root != nil || !constants.isEmpty: throw ValidationError("'--root' and '--set' go with '--pattern'")
        default: break
        }
        for constant in constants where constant.firstIndex(of: "=").map({ $0 == constant.startIndex }) ?? true {
            throw ValidationError("'--set \(constant)': write FIELD=VALUE, e.g. --set lambda2=0.001")
        }
    }
}
