/// The known name a misspelt one most likely meant: `fodl` → `fold`, `lamda1` → `lambda1`,
/// `params.gird` → `params.grid`.
public enum NameSuggestion {
    /// The closest of `names` to `name`, when it is close enough to be a slip: at most one
    /// edit for names of up to four characters, two for longer ones (an edit inserts,
    /// deletes or changes a character, or swaps two neighbours). Ties go to the first in
    /// sorted order; nil when none is close, or `name` is itself known. `maxEdits` lowers
    /// the limit where names are often new words rather than slips (manifest columns).
    public static func closest(to name: String, among names: some Sequence<String>, maxEdits: Int = 2) -> String? {
        let known = Set(names)
        guard !known.contains(name) else { return nil }
        let limit = min(name.count <= 4 ? 1 : 2, maxEdits)
        var best: (distance: Int, name: String)?
        for candidate in known.sorted() {
            let distance = editDistance(name, candidate)
            if distance <= limit, best == nil || distance < best!.distance { best = (distance, candidate) }
        }
        return best?.name
    }

    /// The optimal-string-alignment distance: insertions, deletions, substitutions and
    /// transpositions of neighbours, each counting one.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
