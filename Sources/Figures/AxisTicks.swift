import Foundation

/// Axis ticks at round values: steps of 1, 2 or 5 times a power of ten.
public struct AxisTicks: Sendable, Equatable {
    /// The ticks, ascending; the first and last are the axis's ends.
    public var values: [Double]
    /// Decimals that print every tick exactly.
    public var decimals: Int

    /// Ticks covering `low...high` (widened to include them), about `target` steps apart
    /// at most: the smallest round step giving no more than `target` intervals.
    public init(covering low: Double, _ high: Double, target: Int = 5) {
        var (low, high) = (min(low, high), max(low, high))
        if !(high > low) || !low.isFinite || !high.isFinite {
            let value = low.isFinite ? low : 0
            (low, high) = value == 0 ? (0, 1) : (min(0, value), max(0, value))
        }
        let rough = (high - low) / Double(max(target, 1))
        var exponent = Int(floor(log10(rough)))
        var step = 0.0, factor = 1
        search: while true {
            for candidate in [1, 2, 5] {
                step = Double(candidate) * pow(10, Double(exponent))
                if step >= rough * (1 - 1e-9) { factor = candidate; break search }
            }
            exponent += 1
        }
        // Each tick an integer multiple of the step, computed from the integer so that it
        // prints as the round number it is.
        let first = Int(floor(low / step + 1e-9)), last = Int(ceil(high / step - 1e-9))
        // Division by an exact power of ten rounds 3 / 100 to the double nearest 0.03.
        let power = pow(10, Double(abs(exponent)))
        values = (first...max(first + 1, last)).map { exponent < 0 ? Double($0 * factor) / power : Double($0 * factor) * power }
        decimals = max(0, -exponent)
    }

    /// The lowest and highest tick.
    public var range: ClosedRange<Double> { values.first!...values.last! }
}
