import Foundation

/// A value computed on a thread of its own from the moment it is made, so that other
/// work can go on meanwhile; `get()` waits for it.
final class BackgroundValue<Value: Sendable>: @unchecked Sendable {
    private let done = DispatchGroup()
    // Written once, before `done` is left; read only after waiting on it.
    private var result: Result<Value, any Error>?

    init(_ work: @escaping @Sendable () throws -> Value) {
        done.enter()
        Thread.detachNewThread { [self] in
            result = Result(catching: work)
            done.leave()
        }
    }

    /// The value, or the error computing it threw.
    func get() throws -> Value {
        done.wait()
        return try result!.get()
    }
}
