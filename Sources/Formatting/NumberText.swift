import Foundation

/// How numbers read in maskdb's outputs.
public enum NumberText {
    /// The shortest text that reads back as exactly `value` (17 significant digits at most);
    /// `nan`, `inf`, `-inf` for non-finite values.
    public static func exact(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return "\(value)"
    }

    /// The finite number a cell writes in decimal (`0.1`, `-2`, `1e-3`); nil for anything
    /// else, hexadecimal (`0x10`), `inf` and `nan` included, which Double(text) would take.
    public static func decimal(_ text: String) -> Double? {
        guard !text.isEmpty, text.allSatisfy({ "0123456789+-.eE".contains($0) }), let value = Double(text), value.isFinite else { return nil }
        return value
    }

    /// `value` with a fixed number of decimals, for people.
    public static func fixed(_ value: Double, decimals: Int) -> String {
        if !value.isFinite { return exact(value) }
        let text = String(format: "%.\(decimals)f", value)
        // Avoid "-0.0000" for tiny negatives.
        return text.allSatisfy { "-0.".contains($0) } ? String(text.drop { $0 == "-" }) : text
    }
}
