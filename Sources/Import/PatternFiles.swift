import Foundation
import Glibc

/// A file a path pattern matched: its path from the root ("/"-separated, as a manifest in
/// the root would write it) and what each capture took, in the pattern's order.
struct PatternMatch: Sendable {
    var path: String
    var captures: [(field: String, text: String)]
}

extension PathPattern {
    /// The regular files (or links to them) the pattern matches under the folder `root`,
    /// sorted by path (byte order, as `LC_ALL=C sort`). `**` enters no hidden folder and no
    /// symbolic link to a folder (as bash's globstar), so a link loop cannot trap it; a file
    /// matched in several ways takes the first, `**` standing for as few folders as it can.
    /// Unreadable folders are skipped, as a shell skips them.
    func files(under root: String) -> [PatternMatch] {
        var found: [String: PatternMatch] = [:]
        walk(0, folder: root, names: [], captures: [], into: &found)
        return found.values.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
    }

    private func walk(
        _ index: Int, folder: String, names: [String], captures: [(field: String, text: String)], into found: inout [String: PatternMatch]
    ) {
        switch segments[index] {
        case .folders:
            // `**` is never last (the parser adds a file name after it).
            walk(index + 1, folder: folder, names: names, captures: captures, into: &found)
            for name in Self.entries(of: folder) where !name.hasPrefix(".") && Self.kind(folder + "/" + name, following: false) == S_IFDIR {
                walk(index, folder: folder + "/" + name, names: names + [name], captures: captures, into: &found)
            }
        case .name(let pieces):
            let isLast = index == segments.count - 1
            let candidates = Self.literalName(pieces).map { [$0] } ?? Self.entries(of: folder)
            for name in candidates {
                guard let more = Self.match(pieces, name) else { continue }
                let path = folder + "/" + name
                let kind = Self.kind(path, following: true)
                if isLast, kind == S_IFREG {
                    let relative = (names + [name]).joined(separator: "/")
                    if found[relative] == nil { found[relative] = PatternMatch(path: relative, captures: captures + more) }
                } else if !isLast, kind == S_IFDIR {
                    walk(index + 1, folder: path, names: names + [name], captures: captures + more, into: &found)
                }
            }
        }
    }

    /// The names in `folder`, sorted; none when it cannot be read.
    private static func entries(of folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// The file type of `path` (`S_IFREG`, `S_IFDIR`, ...), through a symbolic link when
    /// `following`; nil when it does not exist.
    private static func kind(_ path: String, following: Bool) -> mode_t? {
        var status = stat()
        guard (following ? stat(path, &status) : lstat(path, &status)) == 0 else { return nil }
        return status.st_mode & S_IFMT
    }
}
