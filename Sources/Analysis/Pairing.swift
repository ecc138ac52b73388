import StudyCore

/// Which fields two masks must agree on to be compared: by default every setting and
/// the model's identity (study, fold, run, name) but the field compared, and no
/// annotation nor the semantics. `match` adds fields pairs must agree on too (an
/// annotation); `ignore` removes settings pairs may differ in (pooling over them).
public struct Pairing: Sendable, Equatable {
    /// Fields pairs must agree on besides the default ones.
    public var match: Set<StudyField>
    /// Fields pairs may differ in.
    public var ignore: Set<StudyField>

    /// A pairing rule; the default is the study's: every setting.
    public init(match: some Sequence<StudyField> = [], ignore: some Sequence<StudyField> = []) {
        self.match = Set(match)
        self.ignore = Set(ignore)
    }

    /// The default rule.
    public static let settings = Pairing(match: [], ignore: [])

    /// The rule as a report states it, nil for the default: "pairs also agree on
    /// annotation.site; pairs may differ in params.seed".
    public var description: String? {
        let parts = [
            match.isEmpty ? nil : "pairs also agree on " + match.map(\.name).sorted().joined(separator: ", "),
            ignore.isEmpty ? nil : "pairs may differ in " + ignore.map(\.name).sorted().joined(separator: ", "),
        ].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    /// True when pairs must agree on `field` (unless it is the one compared).
    public func matches(_ field: StudyField) -> Bool {
        if ignore.contains(field) { return false }
        if match.contains(field) { return true }
        switch field.role {
        case .model, .setting, .parameter: return true
        case .record, .modelDetail, .convention, .annotation, .metric: return false
        }
    }

    /// The fields masks differing in `field` must agree on, among those `samples` have, by name.
    public func fields(of samples: [MaskSample], differingIn field: StudyField) -> [StudyField] {
        Self.allFields(samples).filter { $0 != field && matches($0) }.sorted()
    }

    /// The fields this rule pools over among `samples`: each annotation it does not match
    /// and each setting it ignores, with how many values it takes (only those with several).
    public func pooled(_ samples: [MaskSample], comparing field: StudyField? = nil) -> [(field: StudyField, values: Int)] {
        Self.allFields(samples).sorted().compactMap { candidate in
            guard candidate != field, !matches(candidate),
                candidate.role == .annotation || ignore.contains(candidate)
            else { return nil }
            var reader = FieldReader([candidate])
            let values = Set(samples.map { reader.value(of: $0) }).count
            return values > 1 ? (candidate, values) : nil
        }
    }

    /// Why masks with `field` = `a` and `field` = `b` (any two values, when nil) make no
    /// pair, when they make none: the fields in which they differ. Nil when they pair.
    public func whyNoPairs(_ samples: [MaskSample], differingIn field: StudyField, between values: (SettingValue, SettingValue)? = nil) -> String? {
        let relevant = values.map { a, b in samples.filter { $0[field] == a || $0[field] == b } } ?? samples
        let distinct = Set(relevant.map { $0[field] })
        if distinct.count < 2 {
            return relevant.isEmpty ? "no mask is selected" : "every selected mask has \(field.label) = \(distinct.first!)"
        }
        let fields = fields(of: relevant, differingIn: field)
        guard !Self.anyPair(relevant, differingIn: field, agreeingOn: fields) else { return nil }
        // The fields whose agreement alone keeps every pair apart; else all that vary.
        let varying = fields.filter { f in Set(relevant.map { $0[f] }).count > 1 }
        let culprits = varying.filter { f in Self.anyPair(relevant, differingIn: field, agreeingOn: fields.filter { $0 != f }) }
        let named = (culprits.isEmpty ? varying : culprits).map(\.name)
        let list = named.count <= 1 ? named.joined() : named.dropLast().joined(separator: ", ") + " and " + named.last!
        return "the masks differ in \(list)"
            + (culprits.count == 1 && culprits[0].role != .model && !match.contains(culprits[0])
                ? " (--ignore \(culprits[0].name) pools over it)" : "")
    }

    private static func anyPair(_ samples: [MaskSample], differingIn field: StudyField, agreeingOn fields: [StudyField]) -> Bool {
        groups(samples, by: fields).contains { group in Set(group.map { $0[field] }).count > 1 }
    }

    /// Every field some sample has, each set of samples' fields read once.
    static func allFields(_ samples: [MaskSample]) -> Set<StudyField> {
        var fields = Set<StudyField>(), seen = Set<ObjectIdentifier>()
        for sample in samples where seen.insert(ObjectIdentifier(sample.fields)).inserted { fields.formUnion(sample.fields.list) }
        return fields
    }

    /// The samples grouped by their values of `fields`, groups in order of those values.
    static func groups(_ samples: [MaskSample], by fields: [StudyField]) -> [[MaskSample]] {
        groupIndices(samples, by: fields).map { $0.map { samples[$0] } }
    }

    /// The same groups as positions in `samples`, each ascending (no sample is copied).
    public static func groupIndices(_ samples: [MaskSample], by fields: [StudyField]) -> [[Int]] {
        // A sample's key (its values of `fields`) is read in place, never built as an array:
        // at 50,000 masks, one array of values per mask and its hashing were most of the work.
        var reader = FieldReader(fields)
        var keys: [[SettingValue]] = [], hashes: [UInt64] = [], groups: [[Int]] = []
        // The groups by their key's hash, open addressing (-1: an empty slot): a look-up
        // hashes nothing more, where a dictionary would hash the hash.
        var slots = [Int32](repeating: -1, count: 64)
        func slot(of hash: UInt64) -> Int { Int(truncatingIfNeeded: hash) & (slots.count - 1) }
        for index in samples.indices {
            let positions = reader.positions(in: samples[index].fields)
            // The sample's values borrowed in place: a copy of one retains its text.
            let found: (hash: UInt64, group: Int?) = samples[index].values.withUnsafeBufferPointer { values in
                var hash = KeyHash()
                for position in positions { hash.combine(position.map { values[$0] } ?? .missing) }
                let value = hash.value
                var s = slot(of: value)
                while slots[s] >= 0 {
                    let g = Int(slots[s])
                    if hashes[g] == value, keys[g].withUnsafeBufferPointer({ key in
                        positions.indices.allSatisfy { f in positions[f].map { key[f] == values[$0] } ?? (key[f] == .missing) }
                    }) { return (value, g) }
                    s = (s + 1) & (slots.count - 1)
                }
                return (value, nil)
            }
            if let g = found.group {
                groups[g].append(index)
                continue
            }
            keys.append(positions.map { FieldReader.value(samples[index].values, at: $0) })
            hashes.append(found.hash)
            groups.append([index])
            // At most half the slots taken, so that a look-up finds an empty one soon.
            if 2 * groups.count > slots.count {
                slots = [Int32](repeating: -1, count: 2 * slots.count)
                for (g, hash) in hashes.enumerated() {
                    var s = slot(of: hash)
                    while slots[s] >= 0 { s = (s + 1) & (slots.count - 1) }
                    slots[s] = Int32(g)
                }
            } else {
                var s = slot(of: found.hash)
                while slots[s] >= 0 { s = (s + 1) & (slots.count - 1) }
                slots[s] = Int32(groups.count - 1)
            }
        }
        // In order of their keys (distinct, compared as arrays of values would be).
        let order = groups.indices.sorted { a, b in
            for (u, v) in zip(keys[a], keys[b]) where u != v { return u < v }
            return false
        }
        return order.map { groups[$0] }
    }
}

/// A hash of a key of setting values, several times cheaper than `Hasher`'s (SipHash) on
/// the short texts and numbers of settings: grouping 50,000 masks hashes a dozen values of
/// each, several times per analysis. Unseeded, since equal hashes are only candidates,
/// each checked by comparing the values, and a study's values are not an adversary's.
struct KeyHash {
    private var state: UInt64 = 0xcbf2_9ce4_8422_2325

    private mutating func mix(_ word: UInt64) {
        state = (state ^ word) &* 0x0000_0100_0000_01b3
        state ^= state >> 29
    }

    mutating func combine(_ value: SettingValue) {
        switch value {
        case .missing: mix(0)
        // Equal numbers hash equally: 0 and -0 are one value (`==`).
        case .number(let number): mix(1); mix(number == 0 ? 0 : number.bitPattern)
        case .text(let text):
            mix(2)
            // Texts equal as Strings may differ in bytes beyond ASCII (é precomposed or
            // not): those hash as `Hasher` does, after normalization.
            let ascii = text.utf8.withContiguousStorageIfAvailable { bytes -> KeyHash? in
                var hash = self, word: UInt64 = 0
                for (index, byte) in bytes.enumerated() {
                    guard byte < 0x80 else { return nil }
                    word = word << 8 | UInt64(byte)
                    if index % 8 == 7 { hash.mix(word); word = 0 }
                }
                hash.mix(word)
                hash.mix(UInt64(bytes.count))
                return hash
            }
            if let ascii = ascii ?? nil { self = ascii } else { mix(UInt64(bitPattern: Int64(text.hashValue))) }
        }
    }

    /// The hash, its bits mixed down to the low ones a table of slots reads (MurmurHash3's finalizer).
    var value: UInt64 {
        var h = state
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        h = h &* 0xc4ce_b9fe_1a85_ec53
        return h ^ h >> 33
    }
}
