/// Why a benchmark could not be measured, in one line.
enum BenchError: Error, CustomStringConvertible {
    /// The executable to time is not beside this one.
    case noMaskDB(path: String)
    /// A child process could not be started.
    case cannotStart(executable: String, reason: String)
    /// A timed step exited with a failure; `said` is the last line it wrote to stderr.
    case stepFailed(step: String, status: Int32, said: String?)

    var description: String {
        switch self {
        case let .noMaskDB(path):
            "\(path): no maskdb executable here; build it beside maskdb-bench (swift build --product maskdb)"
        case let .cannotStart(executable, reason):
            "cannot start \(executable): \(reason)"
        case let .stepFailed(step, status, said):
            "bench step '\(step)' failed (exit status \(status))\(said.map { ": \($0)" } ?? "")"
        }
    }
}
