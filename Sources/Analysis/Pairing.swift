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
        var representatives: [(values: [SettingValue], positions: [Int?])] = []
        var groups: [[Int]] = []
        // Groups by their key's hash: the first, and each one's next of the same hash.
        var firstOfHash: [Int: Int] = [:]
        var nextOfHash: [Int?] = []
        let value = FieldReader.value(_:at:)
        // Samples and representatives read in place (a copy of one retains its arrays).
        for index in samples.indices {
            let positions = reader.positions(in: samples[index].fields)
            var hasher = Hasher()
            for position in positions { hasher.combine(value(samples[index].values, position)) }
            let hash = hasher.finalize()
            var candidate = firstOfHash[hash]
            while let g = candidate {
                if positions.indices.allSatisfy({
                    value(representatives[g].values, representatives[g].positions[$0]) == value(samples[index].values, positions[$0])
                }) { break }
                candidate = nextOfHash[g]
            }
            if let g = candidate {
                groups[g].append(index)
            } else {
                nextOfHash.append(firstOfHash[hash])
                firstOfHash[hash] = groups.count
                representatives.append((samples[index].values, positions))
                groups.append([index])
            }
        }
        // In order of their keys (distinct, compared as arrays of values would be), each key
        // read once into an array: a comparison reads two, most of their values equal.
        let keys = representatives.map { r in r.positions.map { value(r.values, $0) } }
        let order = groups.indices.sorted { a, b in
            for (u, v) in zip(keys[a], keys[b]) where u != v { return u < v }
            return false
        }
        return order.map { groups[$0] }
    }
}
