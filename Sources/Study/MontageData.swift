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
        let image = try NIfTIImage(fileBytes: try store.maskFileBytes(maskID: mask.id), path: "mask \(mask.id)")
        let shape = Array((image.shape + [1, 1]).prefix(3))
        let grid = try atlas.grid(shape: shape, affine: image.affine, path: "mask \(mask.id)")
        // Recorded masks have one volume (the import checks it): every voxel is on the grid.
        let keep = mask.semantics == .keep
        return MontagePanel(
            label: label, perturbation: image.floatVoxels().map { keep ? 1 - $0 : $0 }, shape: shape,
            regions: grid.regionIndex, flipX: image.affine[0, 0] < 0)
    }

    /// The poster's Figure 2: the first run's mask of each fold, and the first fold's mask of each run.
    public static func studyMontage(store: any StudyStore, masks: [MaskRecord], atlas: Atlas) throws -> RasterImage? {
        guard let firstRun = masks.map(\.run).min(), let firstFold = masks.map(\.fold).min() else { return nil }
        let folds = masks.filter { $0.run == firstRun }.sorted { ($0.fold, $0.id) < ($1.fold, $1.id) }
        let runs = masks.filter { $0.fold == firstFold }.sorted { ($0.run, $0.id) < ($1.run, $1.id) }
        // The first fold's first run is in both rows: decode it once.
        let calculator = DensityCalculator(atlas: atlas)
        var decoded: [Int64: MontagePanel] = [:]
        func panel(_ mask: MaskRecord, label: String) throws -> MontagePanel {
            var panel = try decoded[mask.id] ?? Self.panel(store: store, mask: mask, label: label, atlas: calculator)
            decoded[mask.id] = panel
            panel.label = label
            return panel
        }
        return MaskMontage.render(
            title: "Masks across folds and runs",
            rows: [
                ("Folds (run \(firstRun))", try folds.map { try panel($0, label: "fold \($0.fold)") }),
                ("Runs (fold \(firstFold))", try runs.map { try panel($0, label: "run \($0.run)") }),
            ])
    }
}
