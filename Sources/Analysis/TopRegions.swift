import StudyCore

/// A region as top-region rankings name it.
public struct RankedRegion: Sendable, Equatable {
    /// Its atlas label; nil for a left/right pair merged into one.
    public var label: Int?
    public var name: String
}

/// One row of a top-regions table.
public struct TopRegionRow: Sendable, Equatable {
    /// The group's value of the `--by` field; nil without grouping (one group of all masks).
    public var group: SettingValue?
    /// The row's rank within its group (1 = most often in the masks' top k).
    public var rank: Int
    public var region: RankedRegion
    /// How many of the group's masks have the region in their top k.
    public var inTopK: Int
    /// How many masks the group has.
    public var masks: Int
    /// The region's mean density over the group's masks.
    public var meanDensity: Double
    /// The region's mean rank (1 = densest) over the group's masks.
    public var meanRank: Double
    /// The interval of `meanDensity` (`MaskMeanBootstrap`: folds and runs resampled); nil
    /// when not asked for, or when the group's masks are of one model.
    public var meanDensityInterval: Interval? = nil
}

/// The regions masked most.
public enum TopRegions {
    /// Ranks regions by density within each mask (ties by label); over each group of
    /// masks with the same `field` value, lists every region in some mask's top `k`,
    /// by how many masks have it there, then by mean density. A region the mask does not
    /// perturb at all (density 0) is in no top k, however few regions it perturbs. With
    /// `mergeHemispheres`, regions named `X_L` and `X_R` become `X`, their densities voxel-weighted.
    /// With `intervals`, each row's mean density has its interval from the model bootstrap
    /// of the group's masks (`MaskMeanBootstrap`, on each model's sums, kept as the masks are added).
    public static func rank(
        _ samples: [MaskSample], regions: [(label: Int, name: String)], k: Int, by field: StudyField?, mergeHemispheres: Bool,
        intervals: IntervalOptions? = nil
    ) -> [TopRegionRow] {
        let (ranked, members) = merged(regions, mergeHemispheres)
        var groups: [SettingValue: [MaskSample]] = [:]
        for sample in samples { groups[field.map { sample[$0] } ?? .missing, default: []].append(sample) }
        var rows: [TopRegionRow] = []
        for value in groups.keys.sorted() {
            let group = field == nil ? nil : value
            let masks = groups[value]!
            var inTopK = [Int](repeating: 0, count: ranked.count)
            var density = [Mean](repeating: Mean(), count: ranked.count)
            var rank = [Mean](repeating: Mean(), count: ranked.count)
            // Each mask's model (its fold and run) for the bootstrap, and each model's sums and
            // counts by region (plain arrays: the loop below adds to them for every mask's region).
            let bootstrapping = intervals != nil
            var model = [Int](), folds: [SettingValue] = [], runs: [SettingValue] = []
            if bootstrapping {
                model = [Int](repeating: 0, count: masks.count)
                for (number, members) in Pairing.groupIndices(masks, by: [.fold, .run]).enumerated() {
                    for member in members { model[member] = number }
                    folds.append(masks[members[0]][.fold])
                    runs.append(masks[members[0]][.run])
                }
            }
            var modelSum = [Double](repeating: 0, count: folds.count * ranked.count), modelCount = modelSum
            // Each mask's regions with a density, densest first (ties by label), found on every
            // core some thousands of masks at a time, then added up in the masks' order (the
            // sums of one pass, in bounded memory).
            for chunk in stride(from: 0, to: masks.count, by: Self.chunk) {
                let chunkMasks = masks[chunk..<min(chunk + Self.chunk, masks.count)]
                let ranges = Concurrently.ranges(chunkMasks.count) { _ in 1 }
                let orders = Concurrently.map(ranges.count) { part in
                    ranges[part].map { Self.order(chunkMasks[chunkMasks.startIndex + $0], members) }
                }
                for (offset, order) in orders.joined().enumerated() {
                    for (position, entry) in order.enumerated() {
                        density[entry.region].add(entry.density)
                        if bootstrapping {
                            let cell = model[chunk + offset] * ranked.count + entry.region
                            modelSum[cell] += entry.density
                            modelCount[cell] += 1
                        }
                        rank[entry.region].add(Double(position + 1))
                        if position < k && entry.density > 0 { inTopK[entry.region] += 1 }
                    }
                }
            }
            let listed = ranked.indices.filter { inTopK[$0] > 0 }.sorted {
                (inTopK[$0], density[$0].value!, -$0) > (inTopK[$1], density[$1].value!, -$1)
            }
            // Only the listed regions' means are resampled.
            let bootstrap = intervals.map { options in
                MaskMeanBootstrap.run(
                    ModelMeanSums(folds: folds, runs: runs, measures: ranked.count, sums: modelSum, counts: modelCount).selecting(listed),
                    options: options)
            }
            for (position, region) in listed.enumerated() {
                rows.append(TopRegionRow(
                    group: group, rank: position + 1, region: ranked[region], inTopK: inTopK[region], masks: masks.count,
                    meanDensity: density[region].value!, meanRank: rank[region].value!,
                    meanDensityInterval: bootstrap?[position].interval))
            }
        }
        return rows
    }

    /// How many masks are ranked at once (their orders held in memory, a few MB).
    static let chunk = 4096

    /// The mask's regions (of `members`) with a density, densest first, ties by region: the
    /// order is total, so any sort gives it.
    private static func order(_ mask: MaskSample, _ members: [[Int]]) -> [(density: Double, region: Int)] {
        var order: [(density: Double, region: Int)] = []
        order.reserveCapacity(members.count)
        for (region, indices) in members.enumerated() {
            if let value = mask.density(over: indices) { order.append((value, region)) }
        }
        order.sort { $0.density > $1.density || ($0.density == $1.density && $0.region < $1.region) }
        return order
    }

    /// The regions to rank and, for each, the atlas region indices it combines.
    private static func merged(_ regions: [(label: Int, name: String)], _ merge: Bool) -> ([RankedRegion], [[Int]]) {
        guard merge else {
            return (regions.map { RankedRegion(label: $0.label, name: $0.name) }, regions.indices.map { [$0] })
        }
        var ranked: [RankedRegion] = []
        var members: [[Int]] = []
        var position: [String: Int] = [:]
        for (index, region) in regions.enumerated() {
            let side = region.name.hasSuffix("_L") || region.name.hasSuffix("_R")
            guard side else {
                ranked.append(RankedRegion(label: region.label, name: region.name))
                members.append([index])
                continue
            }
            let base = String(region.name.dropLast(2))
            if let existing = position[base] {
                members[existing].append(index)
                ranked[existing].label = nil
            } else {
                position[base] = ranked.count
                ranked.append(RankedRegion(label: region.label, name: base))
                members.append([index])
            }
        }
        return (ranked, members)
    }
}
