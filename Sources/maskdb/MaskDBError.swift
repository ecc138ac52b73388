/// What a command of the executable itself cannot do (the libraries' errors say the rest):
/// reported as one line, `maskdb: error: ...`, with exit status 1.
enum MaskDBError: Error, CustomStringConvertible {
    /// The import refused a manifest `maskdb demo` wrote itself.
    case demoRejected(noun: String, message: String)

    var description: String {
        switch self {
        case let .demoRejected(noun, message): "the demo's \(noun) manifest was rejected: \(message)"
        }
    }
}
