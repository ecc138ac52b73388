/// How wide and tall SVG text is drawn, for laying figures out so that no text is cut: the
/// advance widths of DejaVu Sans (regular and bold), the first font the figures name and
/// wider than the Helvetica and Arial after it, so text measured with it fits in either.
/// A character the table lacks counts as one em, wider than any it has.
enum TextMetrics {
    /// Above the baseline and below it, as fractions of the font size (DejaVu Sans's ascent
    /// and descent).
    static let ascent = 0.93, descent = 0.24

    /// The width of `text` at `size` pixels.
    static func width(_ text: String, size: Double, bold: Bool = false) -> Double {
        var units = 0
        for scalar in text.unicodeScalars {
            let value = Int(scalar.value)
            if (32...126).contains(value) {
                units += Int((bold ? boldWidths : regularWidths)[value - 32])
            } else {
                units += (bold ? boldOthers : regularOthers)[value] ?? unitsPerEm
            }
        }
        return Double(units) * size / Double(unitsPerEm)
    }

    /// `text` broken at spaces into lines at most `width` pixels wide (a word wider than
    /// that alone on its line, cut at characters).
    static func wrapped(_ text: String, size: Double, width: Double, bold: Bool = false) -> [String] {
        var lines: [String] = [], line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
            let candidate = line.isEmpty ? word : line + " " + word
            if Self.width(candidate, size: size, bold: bold) <= width || line.isEmpty && Self.width(word, size: size, bold: bold) <= width {
                line = candidate
                continue
            }
            if !line.isEmpty { lines.append(line) }
            line = ""
            // A word too wide for a line of its own: cut it.
            var piece = ""
            for character in word {
                if !piece.isEmpty && Self.width(piece + String(character), size: size, bold: bold) > width {
                    lines.append(piece)
                    piece = ""
                }
                piece.append(character)
            }
            line = piece
        }
        if !line.isEmpty || lines.isEmpty { lines.append(line) }
        return lines
    }

    private static let unitsPerEm = 2048

    /// ASCII 32 to 126, in DejaVu Sans's units (2048 an em).
    private static let regularWidths: [Int16] = [
        651, 821, 942, 1716, 1303, 1946, 1597, 563, 799, 799, 1024, 1716, 651, 739, 651, 690, 1303, 1303, 1303, 1303, 1303, 1303,
        1303, 1303, 1303, 1303, 690, 690, 1716, 1716, 1716, 1087, 2048, 1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540, 604, 604,
        1343, 1141, 1767, 1532, 1612, 1235, 1612, 1423, 1300, 1251, 1499, 1401, 2025, 1403, 1251, 1403, 799, 690, 799, 1716, 1024,
        1024, 1255, 1300, 1126, 1300, 1260, 721, 1300, 1298, 569, 569, 1186, 569, 1995, 1298, 1253, 1300, 1300, 842, 1067, 803,
        1298, 1212, 1675, 1212, 1212, 1075, 1303, 690, 1303, 1716,
    ]
    private static let boldWidths: [Int16] = [
        713, 934, 1067, 1716, 1425, 2052, 1786, 627, 936, 936, 1071, 1716, 778, 850, 778, 748, 1425, 1425, 1425, 1425, 1425, 1425,
        1425, 1425, 1425, 1425, 819, 819, 1716, 1716, 1716, 1188, 2048, 1585, 1561, 1503, 1700, 1399, 1399, 1681, 1714, 762, 762,
        1587, 1305, 2038, 1714, 1741, 1501, 1741, 1577, 1475, 1397, 1663, 1585, 2259, 1579, 1483, 1485, 936, 748, 936, 1716, 1024,
        1024, 1382, 1466, 1214, 1466, 1389, 891, 1466, 1458, 702, 702, 1362, 702, 2134, 1458, 1407, 1466, 1466, 1010, 1219, 979,
        1458, 1335, 1892, 1321, 1335, 1192, 1458, 748, 1458, 1716,
    ]
    /// λ, β, en and em dashes, ×, ±, ≤, ≥, …, ², ≈ and the minus sign.
    private static let regularOthers: [Int: Int] = [
        0x3BB: 1212, 0x3B2: 1307, 0x2013: 1024, 0x2014: 2048, 0xD7: 1716, 0xB1: 1716, 0x2264: 1716, 0x2265: 1716, 0x2026: 2048,
        0xB2: 821, 0x2248: 1716, 0x2212: 1716,
    ]
    private static let boldOthers: [Int: Int] = [
        0x3BB: 1296, 0x3B2: 1466, 0x2013: 1024, 0x2014: 2048, 0xD7: 1716, 0xB1: 1716, 0x2264: 1716, 0x2265: 1716, 0x2026: 2048,
        0xB2: 897, 0x2248: 1716, 0x2212: 1716,
    ]
}
