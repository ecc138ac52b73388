import Foundation

/// Builds a small, self-contained SVG document with deterministic text: elements in
/// the order they are added, numbers with at most two decimals.
struct SVGWriter {
    let width: Int
    let height: Int
    private var body: [String] = []

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// A number as SVG attributes want it: at most two decimals, no trailing zeros.
    static func number(_ value: Double) -> String {
        var text = String(format: "%.2f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }

    /// Text with XML's special characters escaped.
    static func escaped(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }

    mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: RGB, stroke: RGB? = nil, title: String? = nil) {
        let strokeText = stroke.map { " stroke=\"\($0.hex)\" stroke-width=\"1\"" } ?? ""
        let open = "<rect x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" width=\"\(Self.number(width))\" height=\"\(Self.number(height))\" fill=\"\(fill.hex)\"\(strokeText)"
        body.append(title.map { open + "><title>\(Self.escaped($0))</title></rect>" } ?? open + "/>")
    }

    enum Anchor: String { case start, middle, end }

    mutating func text(
        _ text: String, x: Double, y: Double, size: Double = 13, anchor: Anchor = .start, fill: RGB = .black,
        bold: Bool = false, rotate: Double? = nil
    ) {
        let weight = bold ? " font-weight=\"bold\"" : ""
        let transform = rotate.map { " transform=\"rotate(\(Self.number($0)) \(Self.number(x)) \(Self.number(y)))\"" } ?? ""
        body.append("<text x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" font-size=\"\(Self.number(size))\" text-anchor=\"\(anchor.rawValue)\" fill=\"\(fill.hex)\"\(weight)\(transform)>\(Self.escaped(text))</text>")
    }

    /// A line; `kind` names what it is (a `class`: "tick", "whisker"), for readers and tests.
    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: RGB = .black, width: Double = 1, kind: String? = nil) {
        let kindText = kind.map { " class=\"\(Self.escaped($0))\"" } ?? ""
        body.append("<line\(kindText) x1=\"\(Self.number(x1))\" y1=\"\(Self.number(y1))\" x2=\"\(Self.number(x2))\" y2=\"\(Self.number(y2))\" stroke=\"\(stroke.hex)\" stroke-width=\"\(Self.number(width))\"/>")
    }

    /// The whole document.
    func rendered() -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">
        <rect x="0" y="0" width="\(width)" height="\(height)" fill="#ffffff"/>
        \(body.joined(separator: "\n"))
        </svg>

        """
    }
}

extension RGB {
    /// `#rrggbb`.
    var hex: String {
        func two(_ v: UInt8) -> String { (v < 16 ? "0" : "") + String(v, radix: 16) }
        return "#" + two(r) + two(g) + two(b)
    }

    /// Black or white, whichever reads better on this colour.
    var contrastingText: RGB {
        0.299 * Double(r) + 0.587 * Double(g) + 0.114 * Double(b) > 140 ? .black : .white
    }
}
