import Foundation
import Synchronization

/// A progress bar on stderr, drawn only when stderr is a terminal (never in logs or pipes).
final class ProgressBar: Sendable {
    private let label: String
    private let enabled = isatty(STDERR_FILENO) == 1
    /// The percent last drawn; held while drawing, so that lines from two threads never interleave.
    private let lastDrawn = Mutex(-1)

    init(label: String) {
        self.label = label
    }

    /// Redraws for `done` of `total` (at most once per percent).
    func update(_ done: Int, _ total: Int) {
        guard enabled, total > 0 else { return }
        lastDrawn.withLock { lastDrawn in
            let percent = done * 100 / total
            guard percent != lastDrawn else { return }
            lastDrawn = percent
            let width = 30
            let filled = done * width / total
            let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
            FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(done)/\(total)".utf8))
            if done == total { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        }
    }
}
