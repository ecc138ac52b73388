/// One slot per result of work spread over threads, each written by one worker before the
/// slots are read (memory of its own, so that no two workers touch one array's storage).
public final class ResultSlots<T>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<T?>

    public init(count: Int) {
        slots = .allocate(capacity: Swift.max(1, count))
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.baseAddress!.deinitialize(count: slots.count)
        slots.deallocate()
    }

    public func set(_ index: Int, _ value: T) { slots[index] = value }
    public subscript(index: Int) -> T? { slots[index] }
}
