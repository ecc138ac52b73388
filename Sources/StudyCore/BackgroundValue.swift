import Foundation
import Synchronization

/// A value computed on a thread of its own from the moment it is made, so that other
/// work can go on meanwhile; `get()` waits for it.
public final class BackgroundValue<Value: Sendable>: Sendable {
    private let done = DispatchGroup()
    // Written once, before `done` is left.
    private let result = Mutex<Result<Value, any Error>?>(nil)

    public init(_ work: @escaping @Sendable () throws -> Value) {
        done.enter()
        Thread.detachNewThread { [self] in
            let value = Result(catching: work)
            result.withLock { $0 = value }
            done.leave()
        }
    }

    /// The value, or the error computing it threw.
    public func get() throws -> Value {
        done.wait()
        return try result.withLock { $0! }.get()
    }
}
