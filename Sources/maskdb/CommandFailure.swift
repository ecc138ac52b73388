/// A command that cannot do its job with the data it found: reported as one line,
/// `maskdb: error: ...`, with exit status 1 (usage errors are `ValidationError`s, exit 2).
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
