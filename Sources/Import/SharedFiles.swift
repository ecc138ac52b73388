import Foundation
import Synchronization

/// The rows of one import that name the same file (resolved path), atlas and semantics:
/// the first of them to read the file measures it, and each later one waits for that
/// outcome and reuses it, so a file listed on many rows is read, hashed and decoded once.
///
/// Only the sha256 is kept (or the error the file gave): a later row is stored as
/// `.recorded`, copying the grid and densities the earlier row wrote in the same
/// transaction (rows are stored in manifest order, and a checked mask is always stored).
/// Each row waits only for the nearest earlier row of its key, which a worker has
/// claimed already (rows are claimed in order), so no wait can be circular.
final class SharedFiles: Sendable {
    /// What a row leaves to the next row of its key.
    enum Outcome: Sendable {
        /// This row, or an earlier one, measured the file: its sha256.
        case measured(String)
        /// Measuring the file failed: every row of the key is rejected the same way.
        case failed(any Error)
        /// Neither this row nor an earlier one read the file (rejected before it).
        case unread
    }

    private final class Cell: Sendable {
        let done = DispatchGroup()
        let outcome = Mutex<Outcome?>(nil)
        init() { done.enter() }
    }

    /// Each row's index, by its line.
    private let index: [Int: Int]
    /// For each row, the nearest earlier row of the same key.
    private let previous: [Int?]
    private let cells: [Cell]
    private let reads = Atomic<Int>(0)

    /// `key` gives a row's key, or nil for a row that shares nothing (no file).
    init(rows: [Manifest.Row], key: (Manifest.Row) -> String?) {
        var last: [String: Int] = [:]
        previous = rows.indices.map { index in
            guard let key = key(rows[index]) else { return nil }
            defer { last[key] = index }
            return last[key]
        }
        self.index = Dictionary(uniqueKeysWithValues: rows.enumerated().map { ($1.line, $0) })
        cells = rows.map { _ in Cell() }
    }

    /// How many rows read and measured their file themselves.
    var filesRead: Int { reads.load(ordering: .relaxed) }

    /// Row `index`'s sha256 and whether this row must write the measurement (true) or
    /// finds it written by an earlier row (false). `measure` reads, hashes and measures
    /// the file, and runs only when no earlier row of the key did.
    func measure(row: Manifest.Row, _ measure: () throws -> String) throws -> (sha256: String, first: Bool) {
        let index = self.index[row.line]!
        let earlier: Outcome = previous[index].map { self.outcome(of: $0) } ?? .unread
        switch earlier {
        case .measured(let sha256):
            publish(.measured(sha256), row: index)
            return (sha256, false)
        case .failed(let error):
            publish(.failed(error), row: index)
            throw error
        case .unread:
            reads.add(1, ordering: .relaxed)
            do {
                let sha256 = try measure()
                publish(.measured(sha256), row: index)
                return (sha256, true)
            } catch {
                publish(.failed(error), row: index)
                throw error
            }
        }
    }

    /// Called when row `index` is done, whatever happened: a row rejected before its
    /// file was read hands on what the rows before it learned.
    func finish(row: Manifest.Row) {
        let index = self.index[row.line]!
        guard cells[index].outcome.withLock({ $0 == nil }) else { return }
        publish(previous[index].map { outcome(of: $0) } ?? .unread, row: index)
    }

    private func outcome(of row: Int) -> Outcome {
        cells[row].done.wait()
        return cells[row].outcome.withLock { $0! }
    }

    private func publish(_ outcome: Outcome, row: Int) {
        let first = cells[row].outcome.withLock { current in
            guard current == nil else { return false }
            current = outcome
            return true
        }
        if first { cells[row].done.leave() }
    }
}
