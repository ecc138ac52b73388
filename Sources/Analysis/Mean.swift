/// A mean with the number of values behind it.
public struct Mean: Sendable, Equatable {
    /// The sum of the values.
    public private(set) var sum = 0.0
    /// How many values were added.
    public private(set) var count = 0

    /// An empty mean.
    public init() {}

    /// A mean of `values`.
    public init<S: Sequence>(_ values: S) where S.Element == Double {
        for value in values { add(value) }
    }

    /// A mean of `count` values whose sum is `sum` (summed elsewhere, e.g. over pairs without listing them).
    public init(sum: Double, count: Int) {
        self.sum = sum
        self.count = count
    }

    /// Adds a value.
    public mutating func add(_ value: Double) {
        sum += value
        count += 1
    }

    /// The mean, nil when nothing was added.
    public var value: Double? { count > 0 ? sum / Double(count) : nil }
}

/// Mean and sample standard deviation, as reports give model performance.
public struct Spread: Sendable, Equatable {
    public var mean: Double
    /// The sample standard deviation (n - 1); nil for a single value.
    public var sd: Double?
    public var count: Int

    /// The spread of `values`, nil when there are none.
    public init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        count = values.count
        mean = values.reduce(0, +) / Double(count)
        let mean = mean
        sd = count > 1 ? (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(count - 1)).squareRoot() : nil
    }
}
