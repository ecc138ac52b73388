import Atlas
import Figures
import NIfTI
import Store
import StudyCore

/// Recorded masks turned into montage panels: decoded from their stored bytes, with
/// their atlas laid on their grid for the outlines (resampled once per grid, through
/// the calculator's cache).
public enum MontageData {
    /// A mask's panel, labelled `label`, with the regions of `atlas` resampled onto its grid.
    public static func panel(store: any StudyStore, mask: MaskRecord, label: String, atlas: DensityCalculator) throws -> MontagePanel {
        // On its recorded grid when its header's is not the one it was measured on.
        let image = try store.measuredImage(maskID: mask.id)
        let shape = Array((image.shape + [1, 1]).prefix(3))
        let grid = try atlas.grid(shape: shape, affine: image.affine, path: "mask \(mask.id)")
        // Recorded masks have one volume (the import checks it): every voxel is on the grid.
        if mask.semantics == .attribution {
            return MontagePanel.signed(
                label: label, values: image.floatVoxels(), shape: shape, regions: grid.regionIndex, flipX: image.affine[0, 0] < 0)
        }
        let keep = mask.semantics == .keep
        return MontagePanel(
            label: label, perturbation: image.floatVoxels().map { keep ? 1 - $0 : $0 }, shape: shape,
            regions: grid.regionIndex, flipX: image.affine[0, 0] < 0)
    }

    /// At most this many masks a montage row draws: a row of 50,000 would be a PNG wider
    /// than any screen, and decoding them all takes gigabytes.
    public static let panelsPerRow = 12

    /// The poster's Figure 2: per fold, the first run's mask (the lowest id), and per run,
    /// the first fold's; at most `panelsPerRow` of each. Only the masks drawn are decoded.
    public static func studyMontage(store: any StudyStore, masks: [MaskRecord], atlas: Atlas) throws -> StudyMontage? {
        guard let firstRun = masks.map(\.run).min(), let firstFold = masks.map(\.fold).min() else { return nil }
        /// The lowest-id mask per value of `key` among `masks`, in order of that value.
        func onePer(_ key: (MaskRecord) -> Int, _ masks: [MaskRecord]) -> [MaskRecord] {
            let first = Dictionary(grouping: masks, by: key).mapValues { $0.min { $0.id < $1.id }! }
            return first.keys.sorted().prefix(panelsPerRow).map { first[$0]! }
        }
        let folds = onePer(\.fold, masks.filter { $0.run == firstRun })
        let runs = onePer(\.run, masks.filter { $0.fold == firstFold })
        // The first fold's first run is in both rows: decode it once.
        let calculator = DensityCalculator(atlas: atlas)
        var decoded: [Int64: MontagePanel] = [:]
        func panel(_ mask: MaskRecord, label: String) throws -> MontagePanel {
            var panel = try decoded[mask.id] ?? Self.panel(store: store, mask: mask, label: label, atlas: calculator)
            decoded[mask.id] = panel
            panel.label = label
            return panel
        }
        let rows = [
            ("Folds (run \(firstRun))", try folds.map { try panel($0, label: "fold \($0.fold)") }),
            ("Runs (fold \(firstFold))", try runs.map { try panel($0, label: "run \($0.run)") }),
        ]
        let candidates = masks.filter { $0.run == firstRun || $0.fold == firstFold }.count
        var montage = StudyMontage(image: RasterImage(width: 1, height: 1, background: .white), shown: decoded.count, masks: candidates, total: masks.count)
        montage.image = MaskMontage.render(title: "Masks across folds and runs", rows: rows, notes: [montage.pictureNote(firstRun: firstRun, firstFold: firstFold)])
        return montage
    }
}

/// A montage and how many of the masks its rows are drawn from (those of the first run or fold) it shows.
public struct StudyMontage {
    public var image: RasterImage
    /// Distinct masks drawn.
    public var shown: Int
    /// Masks it chose from: those of the first run or the first fold.
    public var masks: Int
    /// Masks it was given (the report's, at the main setting).
    public var total: Int

    /// What the picture says of the masks it shows and leaves out.
    func pictureNote(firstRun: Int, firstFold: Int) -> String {
        let rule = "per fold the lowest-id mask of run \(firstRun), per run that of fold \(firstFold), at most \(MontageData.panelsPerRow) a row"
        return shown < total ? "\(shown) of \(total) masks shown, \(total - shown) left out: \(rule)." : "All \(total) masks shown: \(rule)."
    }

    /// "23 of 4000 masks of the first run or fold shown", nil when every one is.
    public var note: String? { shown < masks ? "\(shown) of \(masks) masks of the first run or fold shown" : nil }
}
