import Analysis
import Atlas
import Figures
import Reports
import Store
import StudyCore

/// The pictures `maskdb plot` draws, as the bytes of their files: PNG for masks, SVG for charts.
public enum StudyPlots {
    /// One recorded mask's slices through `point` (nil: its point of highest perturbation).
    /// A file recorded under several settings is one picture: its first record is drawn.
    public static func mask(store: any StudyStore, target: String, planes: [SlicePlane], at point: (Int, Int, Int)?) throws -> [UInt8] {
        let masks = try store.masks(ids: try store.resolveMasks(target))
        guard Set(masks.map(\.sha256)).count == 1 else { throw StoreError.ambiguous(target: target, ids: masks.map(\.id)) }
        let mask = masks[0]
        let atlas = DensityCalculator(atlas: try store.atlas(named: mask.atlas))
        let settings = mask.semantics == .attribution
            ? "attribution" + (mask.method.isEmpty ? "" : " \(mask.method)") + (mask.subject.isEmpty ? "" : ", \(mask.subject)")
            : "λ1 \(mask.lambda1.map { "\($0)" } ?? "-"), λ2 \(mask.lambda2.map { "\($0)" } ?? "-")"
        let panel = try MontageData.panel(
            store: store, mask: mask, label: "mask \(mask.id): fold \(mask.fold), run \(mask.run), \(settings)", atlas: atlas)
        if let point, point.0 >= panel.shape[0] || point.1 >= panel.shape[1] || point.2 >= panel.shape[2] {
            throw StudyError.pointOutsideGrid(shape: panel.shape)
        }
        return PNGEncoder.encode(MaskMontage.render(panel, planes: planes, at: point))
    }

    /// At most this many masks `montage` draws (and decodes), however many are selected.
    public static let montageLimit = 24

    /// The selected masks, one row per value of `field` (ascending), at most `perRow` to a
    /// row in selection order and `montageLimit` in all; with "N of M masks shown, K left out"
    /// when some are left out, which the picture says too (and, when none is, that every one is shown).
    public static func montage(_ selection: StudySelection, store: any StudyStore, by field: StudyField, perRow: Int) throws -> (png: [UInt8], note: String?) {
        try selection.requireMasks()
        let atlas = DensityCalculator(atlas: try store.atlas(named: selection.masks[0].atlas))
        let groups = Dictionary(grouping: zip(selection.masks, selection.samples), by: { $0.1[field] })
        var left = montageLimit
        var rows: [(title: String, panels: [MontagePanel])] = []
        for value in groups.keys.sorted() where left > 0 {
            let masks = groups[value]!.map(\.0).prefix(min(perRow, left))
            left -= masks.count
            rows.append(("\(field) = \(value)", try masks.map { mask in
                try MontageData.panel(store: store, mask: mask, label: "mask \(mask.id)", atlas: atlas)
            }))
        }
        let shown = montageLimit - left, total = selection.masks.count
        let note = shown < total
            ? "\(shown) of \(total) masks shown, \(total - shown) left out (at most \(perRow) a row, \(montageLimit) in all)" : nil
        let line = note ?? (total == 1 ? "The one selected mask shown." : "All \(total) selected masks shown.")
        return (PNGEncoder.encode(MaskMontage.render(title: "Masks by \(field)", rows: rows, notes: [line])), note)
    }

    /// The ROI-based similarity matrix across the values of `field`.
    public static func similarity(_ selection: StudySelection, by field: StudyField, pairing: Pairing = .settings) throws -> [UInt8] {
        try selection.requireMasks()
        // The cells with the decimals `maskdb similarity` prints.
        return Array(StudyFigures.similarity(selection.similarity(by: field, pairing: pairing), decimals: similarityDecimals).svg().utf8)
    }

    /// The grid-search heatmap of `value` over `rows` x `columns`.
    public static func grid(_ selection: StudySelection, rows: StudyField, columns: StudyField, value: GridValue) throws -> [UInt8] {
        try selection.requireMasks()
        let table = selection.grid(rows: rows, columns: columns, value: value)
        guard table.means.joined().contains(where: { $0 != nil }) else { throw StudyError.noNumericValue(value) }
        return Array(StudyFigures.grid(
            table, title: "Grid search: mean \(value) per mask", decimals: AnalysisTables.densityDecimals(table.means.flatMap { $0 })).svg().utf8)
    }

    /// The decimals of `maskdb similarity`'s cells, which the heatmap's cells print too.
    public static let similarityDecimals = 3  // AnalysisTables.similarity's default, which `maskdb similarity` uses

    /// The top regions as a bar chart, each mean density with its interval's whiskers
    /// (nil `intervals`: none), its numbers with the table's decimals.
    public static func topRegions(_ selection: StudySelection, k: Int, mergeHemispheres: Bool, intervals: IntervalOptions? = nil) throws -> [UInt8] {
        try selection.requireMasks()
        let rows = selection.topRegions(k: k, mergeHemispheres: mergeHemispheres, intervals: intervals)
        return Array(StudyFigures.topRegions(
            rows, k: k, decimals: AnalysisTables.densityDecimals(rows.map(\.meanDensity)),
            intervals: intervals.map(MaskMeanBootstrap.description)).svg().utf8)
    }

    /// The robustness chart: the inter-run and inter-fold mean ROI cosines with their
    /// intervals and the random-pair baseline; the table it draws, for the caller's notes.
    public static func robustness(
        _ selection: StudySelection, pairing: Pairing = .settings, metric: SimilarityMetric = .roi, k: Int = 5, voxels: VoxelMaps? = nil,
        intervals: IntervalOptions = IntervalOptions()
    ) throws -> (svg: [UInt8], table: RobustnessTable) {
        try selection.requireMasks()
        let table = selection.robustness(pairing: pairing, metric: metric, k: k, voxels: voxels, intervals: intervals)
        return (Array(StudyFigures.robustness(table).svg().utf8), table)
    }
}
