import Foundation

/// Student's t distribution of any positive (not only whole) degrees of freedom, as the
/// intervals' Satterthwaite degrees need: its upper tail through the regularized incomplete
/// beta function (continued fraction, modified Lentz; Press et al., Numerical Recipes,
/// 3rd ed., section 6.4), its quantile by bisection of that tail to the last bit.
enum StudentT {
    /// P(T > t) for t >= 0 (for t < 0, 1 - P(T > -t)).
    static func upperTail(_ t: Double, degreesOfFreedom df: Double) -> Double {
        guard t.isFinite else { return t > 0 ? 0 : 1 }
        let tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5)
        return t >= 0 ? tail : 1 - tail
    }

    /// The p-quantile, 0 < p < 1.
    static func quantile(_ p: Double, degreesOfFreedom df: Double) -> Double {
        precondition(p > 0 && p < 1 && df > 0, "a probability in (0, 1), positive degrees of freedom")
        if p < 0.5 { return -quantile(1 - p, degreesOfFreedom: df) }
        if p == 0.5 { return 0 }
        let tail = 1 - p
        var low = 0.0, high = 1.0
        while upperTail(high, degreesOfFreedom: df) > tail { low = high; high *= 2 }
        while true {
            let middle = low + (high - low) / 2
            guard middle > low && middle < high else { return middle }
            if upperTail(middle, degreesOfFreedom: df) > tail { low = middle } else { high = middle }
        }
    }

    /// The regularized incomplete beta function I_x(a, b).
    static func incompleteBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logBeta: Double = lgamma(a) + lgamma(b) - lgamma(a + b)
        let logPower: Double = a * log(x) + b * log(1 - x)
        let front = exp(logPower - logBeta)
        // The continued fraction converges fast below (a + 1) / (a + b + 2); above, by symmetry.
        if x < (a + 1) / (a + b + 2) { return front * continuedFraction(x, a, b) / a }
        return 1 - front * continuedFraction(1 - x, b, a) / b
    }

    private static func continuedFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...10_000 {
            let m = Double(m), m2 = 2 * m
            var step = m * (b - m) * x / ((a + m2 - 1) * (a + m2))
            d = 1 + step * d
            if abs(d) < tiny { d = tiny }
            c = 1 + step / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            step = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))
            d = 1 + step * d
            if abs(d) < tiny { d = tiny }
            c = 1 + step / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let change = d * c
            h *= change
            if abs(change - 1) < 1e-16 { break }
        }
        return h
    }
}
