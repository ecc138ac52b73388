import Dispatch
import Foundation
import StudyCore

/// Work spread over the machine's cores whose results come back in order, so an analysis
/// computed in parts gives exactly what it gives computed one part after another.
enum Concurrently {
    /// `transform` of each of 0..<count, computed on every core, in order.
    static func map<T: Sendable>(_ count: Int, _ transform: @Sendable (Int) -> T) -> [T] {
        guard count > 1 else { return (0..<count).map(transform) }
        let results = ResultSlots<T>(count: count)
        DispatchQueue.concurrentPerform(iterations: count) { results.set($0, transform($0)) }
        return (0..<count).map { results[$0]! }
    }

    /// `0..<total` cut into ranges holding about the same weight (`weight(i)` of each i),
    /// a few per core so that one heavy range does not leave a core idle.
    static func ranges(_ total: Int, weight: (Int) -> Int) -> [Range<Int>] {
        let parts = 4 * ProcessInfo.processInfo.activeProcessorCount
        let sum = (0..<total).reduce(0) { $0 + weight($1) }
        guard parts > 1, total > 1, sum > 0 else { return total == 0 ? [] : [0..<total] }
        var ranges: [Range<Int>] = [], start = 0, carried = 0
        for i in 0..<total {
            carried += weight(i)
            // The boundary after i once the ranges so far hold their share of the weight.
            if carried * parts >= sum * (ranges.count + 1), i + 1 < total {
                ranges.append(start..<(i + 1))
                start = i + 1
            }
        }
        ranges.append(start..<total)
        return ranges
    }
}
