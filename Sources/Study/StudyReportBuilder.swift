import Analysis
import Figures
import Formatting
import Foundation
import NIfTI
import Reports
import Store
import StudyCore

/// Builds a study's report from the store, and writes it.
public enum StudyReportBuilder {
    /// The report of `study` (nil: the database's only study) on its masks passing `filter`
    /// (`selection`: the `--where` text it was read from), its main setting fixed by `main`
    /// where it gives values and chosen as the one most models share elsewhere; mask pairs
    /// agreeing as `pairing` says (`using`: the options that named its fields, to check them).
    public static func build(
        store: any StudyStore, study: String?, where filter: FilterExpression = .all, selection text: String? = nil,
        main request: MainSettingRequest = MainSettingRequest(), pairing: Pairing = .settings,
        using fields: [(option: String, field: StudyField?)] = [], intervals: IntervalOptions = IntervalOptions(), note: String?,
        atlas: String? = nil
    ) throws -> StudyReport {
        guard let name = try StudyScope.study(in: store, named: study) else { throw StudyError.noStudy }
        let own = FilterExpression.equal(.study, .text(name))
        let selection = try StudySelection(store: store, filter: filter == .all ? own : .and([own, filter]), using: fields, atlas: atlas)
        guard !selection.masks.isEmpty else {
            if let text { throw StudyError.noMaskSelected(study: name, expression: text) }
            throw StudyError.studyWithoutMasks(name: name)
        }
        let samples = selection.samples

        // The analyses (most of the work) run on a core of their own while this thread reads
        // the models, the manifests and the atlas from the store, and writes the provenance.
        // The pairs' analyses and the per-setting ones are two tasks, so that a core done with
        // its own work takes up the other's.
        let analyses = BackgroundValue { [selection] in
            try ReportAnalyses(selection: selection, main: request, selected: filter != .all, intervals: intervals)
        }
        let pairs = BackgroundValue { [selection] in PairAnalyses(selection: selection, pairing: pairing, intervals: intervals) }

        // A selection's models are those of its masks.
        var models = try store.models(where: own)
        if filter != .all {
            let maskModels = Set(selection.masks.map { ModelIdentity(fold: $0.fold, run: $0.run, name: $0.model) })
            models = models.filter { maskModels.contains(ModelIdentity(fold: $0.fold, run: $0.run, name: $0.name)) }
        }
        var metrics: [String: [Double]] = [:]
        for model in models {
            for metric in model.metrics { metrics["\(metric.dataset)\t\(metric.metric)", default: []].append(metric.value) }
        }
        let performance = metrics.keys.sorted().map { key in
            let parts = key.split(separator: "\t").map(String.init)
            return StudyReport.Performance(dataset: parts[0], metric: parts[1], spread: Spread(metrics[key]!)!)
        }
        let manifests = try store.manifestPaths(maskIDs: selection.masks.map(\.id))
        // Each manifest's folder found once, not once per mask.
        let folders = Dictionary(Set(manifests.values).map { ($0, SourcePath.folder(ofManifest: $0)) }, uniquingKeysWith: { a, _ in a })
        let provenance = zip(selection.masks, samples).map { mask, sample in
            StudyReport.Provenance(
                id: mask.id, sha256: mask.sha256, fields: sample.fields, values: sample.values,
                source: manifests[mask.id].flatMap { folders[$0] ?? nil }.map { SourcePath.relative(mask.source, toFolder: $0) } ?? mask.source)
        }
        let prepared = StudyReport.prepareProvenance(provenance)
        let atlasName = selection.masks.first?.atlas ?? "aal2"
        let atlas = try store.atlas(named: atlasName)
        let (folds, runs, lambda1s, lambda2s) = (samples.distinct(.fold), samples.distinct(.run), samples.distinct(.lambda1), samples.distinct(.lambda2))
        let maps = samples.filter { $0[.kind] == .text(ExplanationKind.attribution.rawValue) }
        let done = try analyses.get(), paired = try pairs.get()
        let voxelTables = try voxelMeasures(selection, store: store, pairing: pairing, intervals: intervals)
        let mainIDs = Set(done.mainSamples.map(\.id))
        let mainMasks = selection.masks.filter { mainIDs.contains($0.id) }
        let montage = try MontageData.studyMontage(store: store, masks: mainMasks, atlas: atlas)
        var report = StudyReport(
            study: name, note: note, modelCount: models.count, maskCount: samples.count,
            evaluationCount: selection.evaluations.count, folds: folds, runs: runs,
            lambda1s: lambda1s, lambda2s: lambda2s, atlas: atlasName,
            selection: text, mainSetting: done.main.description, mainSettingRule: done.main.rule,
            performance: performance,
            grid: done.grid,
            gridScope: done.gridScope,
            similarity: paired.similarity,
            robustness: paired.robustness,
            topRegions: done.topRegions,
            topK: ReportAnalyses.topK,
            provenance: provenance)
        report.preparedProvenance = prepared
        report.similarityNotes = paired.similarityNotes
        report.robustnessNotes = paired.robustnessNotes
        report.measures = [paired.robustness] + paired.measures + voxelTables
        let measured = [.roi] + (paired.measures.isEmpty ? [] : PairAnalyses.measures) + (voxelTables.isEmpty ? [] : Self.voxelMeasures)
        report.measureMeanings = measured.map { $0.meaning(k: ReportAnalyses.topK) }
        if paired.measures.isEmpty {
            report.measureMeanings.append(
                "The other measures are left out at this size (\(samples.count) masks, more than \(PairAnalyses.measuresLimit)): "
                    + "`maskdb robustness --metric NAME` gives each (" + PairAnalyses.measures.map(\.rawValue).joined(separator: ", ") + ")")
        }
        if voxelTables.isEmpty {
            report.measureMeanings.append(
                "The voxel measures, which decode every stored file, are given for up to \(Self.voxelLimit) masks (this selection has \(samples.count)): "
                    + "`maskdb robustness --metric NAME` gives each (" + Self.voxelMeasures.map(\.rawValue).joined(separator: ", ") + ")")
        } else {
            let options = Self.voxelOptions
            report.measureMeanings.append(
                "Voxel sets: a mask's voxels with perturbation >= \(NumberText.exact(options.threshold)), an attribution map's top "
                    + "\(NumberText.exact(options.topPercent))% by |a|; voxel measures over the voxels the atlas labels")
        }
        report.attributionMaps = maps.count
        report.methods = Set(maps.map { $0[.method] }).sorted()
        report.pairingRule = pairing.description
        report.figures = figures(report, montage: montage, mainMasks: mainMasks, atlasName: atlasName, intervals: intervals)
        return report
    }

    /// The voxel measures the report gives, and for how many masks at most (each stored file
    /// is decoded: about 25 ms of a core and 1.8 MB held for a real-size mask).
    static let voxelMeasures: [SimilarityMetric] = [.dice, .jaccard, .voxelPearson]
    static let voxelLimit = 100
    /// Their sets: the defaults of `--threshold` and `--top-percent`, over the atlas's voxels.
    static let voxelOptions = VoxelOptions()

    /// Robustness by each voxel measure, from the records' voxels decoded once (none above `voxelLimit` masks).
    private static func voxelMeasures(
        _ selection: StudySelection, store: any StudyStore, pairing: Pairing, intervals: IntervalOptions
    ) throws -> [RobustnessTable] {
        guard selection.masks.count <= voxelLimit else { return [] }
        let voxels = try VoxelMaps.load(
            store: store, masks: selection.masks, options: voxelOptions, measures: Set(voxelMeasures.compactMap(\.voxelMeasure)),
            jobs: ProcessInfo.processInfo.activeProcessorCount)
        let tables = voxelMeasures.map { metric in
            BackgroundValue { selection.robustness(pairing: pairing, metric: metric, voxels: voxels, intervals: intervals) }
        }
        return try tables.map { try $0.get() }
    }

    /// What the report computes per setting from the samples alone: its main setting, the
    /// grid and the top regions.
    private struct ReportAnalyses: Sendable {
        static let topK = 5
        var main: MainSettingChoice
        var mainSamples: [MaskSample]
        var grid: GridTable
        var gridScope: String
        var topRegions: [TopRegionRow]

        init(selection: StudySelection, main request: MainSettingRequest, selected: Bool, intervals: IntervalOptions) throws {
            let samples = selection.samples
            main = try MainSettingChoice(samples, request: request, selected: selected)
            mainSamples = main.samples(among: samples)
            // The grid is of masks: attribution maps have no λ (`StudySelection.placed`).
            let lambdas: [StudyField] = [.lambda1, .lambda2]
            let masksWithLambdas = selection.placed(on: lambdas)
            // The masks grouped by model and λ setting at once (keys read in place): a model's
            // groups are its settings, and those of models with several make the grid.
            var settingsOfModel: [[SettingValue]: [[Int]]] = [:]
            for group in Pairing.groupIndices(masksWithLambdas, by: MainSettingChoice.modelFields + lambdas) {
                settingsOfModel[MainSettingChoice.modelFields.map { masksWithLambdas[group[0]][$0] }, default: []].append(group)
            }
            let gridGroups = settingsOfModel.filter { $0.value.count > 1 }
            let gridModels = Set(gridGroups.keys)
            let gridSamples = gridModels.isEmpty ? masksWithLambdas : gridGroups.values.joined().joined().sorted().map { masksWithLambdas[$0] }
            gridScope = (gridModels.isEmpty
                ? "all masks"
                : "the masks of the \(gridModels.count == 1 ? "model" : "\(gridModels.count) models") with several λ settings (\(gridModels.map(MainSettingChoice.model).sorted().joined(separator: "; ")))")
                + selection.placementNotes(on: lambdas).map { " (\($0))" }.joined()
            grid = GridSearch.table(gridSamples, rows: .lambda1, columns: .lambda2) { $0.meanDensity }
            topRegions = TopRegions.rank(mainSamples, regions: selection.regions, k: Self.topK, by: nil, mergeHemispheres: true, intervals: intervals)
        }
    }

    /// What the report computes over pairs of masks: similarity across λ1 and robustness.
    private struct PairAnalyses: Sendable {
        var similarity: SimilarityMatrix
        var robustness: RobustnessTable
        var similarityNotes: [String]
        var robustnessNotes: [String]
        /// Robustness by every measure of two masks but the cosine (`robustness`'s), in `measures` order;
        /// none for a selection of more than `measuresLimit` masks.
        var measures: [RobustnessTable]
        static let measures = SimilarityMetric.densityMeasures.filter { $0 != .roi }
        /// The most masks whose report measures their agreement every way: each measure costs
        /// about what the cosine does, which at 50,000 masks would double the report's time
        /// (`maskdb robustness --metric` gives each on its own).
        static let measuresLimit = 10_000

        init(selection: StudySelection, pairing: Pairing, intervals: IntervalOptions) {
            // Both analyses read each mask's unit vector, computed once; the similarity and
            // each other measure on a thread of its own, so that a core done with other work
            // takes them up.
            let units = UnitVectors(selection.samples)
            let matrix = BackgroundValue {
                selection.similarity(by: .lambda1, pairing: pairing, units: units, intervals: intervals)
            }
            let others = (selection.samples.count > Self.measuresLimit ? [] : Self.measures).map { metric in
                BackgroundValue { selection.robustness(pairing: pairing, metric: metric, k: ReportAnalyses.topK, intervals: intervals) }
            }
            robustness = selection.robustness(pairing: pairing, units: units, intervals: intervals)
            similarity = try! matrix.get()  // it throws nothing
            measures = others.map { try! $0.get() }
            similarityNotes = selection.placementNotes(on: [.lambda1]) + selection.poolingNotes(pairing, comparing: .lambda1)
                + selection.pairNotes(similarity, pairing: pairing)
            robustnessNotes = selection.poolingNotes(pairing) + selection.kindNotes(pairing)
                + selection.pairNotes(robustness, pairing: pairing, noEvaluations: false)
        }
    }

    /// A model of the report's study.
    private struct ModelIdentity: Hashable {
        var fold: Int, run: Int, name: String
    }

    /// The grid and similarity heatmaps, the robustness and top-regions charts (whiskers: their
    /// intervals) and the mask montage, their numbers with the decimals of the tables beside them.
    private static func figures(
        _ report: StudyReport, montage: StudyMontage?, mainMasks: [MaskRecord], atlasName: String, intervals: IntervalOptions
    ) -> [ReportFigure] {
        // The main setting has one kind: masks, or attribution maps (whose density is mean |a|).
        let maps = !mainMasks.isEmpty && mainMasks.allSatisfy { $0.semantics == .attribution }
        let topRegions = maps
            ? "The regions carrying the most attribution (hemispheres merged): mean |a|, with how many maps have each in their top \(report.topK)."
            : "The regions masked most (hemispheres merged): mean density, with how many masks have each in their top \(report.topK)."
        var figures = [
            ReportFigure(
                name: "grid.svg", caption: "Mean perturbation per mask over the λ1 x λ2 grid search; darker is less (the colours span the cells' range).",
                section: "grid.csv",
                bytes: Array(StudyFigures.grid(report.grid, decimals: AnalysisTables.densityDecimals(report.grid.means.flatMap { $0 })).svg().utf8)),
            ReportFigure(
                name: "similarity_lambda1.svg",
                caption: "ROI-based similarity between masks optimized with different λ1 (1 = same regions); the colours span the off-diagonal cells' range, stated below the matrix.",
                section: "similarity_lambda1.csv", bytes: Array(StudyFigures.similarity(report.similarity, decimals: StudyPlots.similarityDecimals).svg().utf8)),
            ReportFigure(
                name: "robustness.svg",
                caption: "Mean ROI cosine similarity of inter-run and inter-fold pairs"
                    + (intervals.resamples > 0 ? ", whiskers their \(IntervalOptions.percent(intervals.level))% intervals (a bootstrap of models)" : "")
                    + ", beside the random-pair baseline.",
                section: "robustness.csv", bytes: Array(StudyFigures.robustness(report.robustness).svg().utf8)),
            ReportFigure(
                name: "top_regions.svg",
                caption: topRegions + (intervals.resamples > 0 ? " Whiskers: the mean's \(IntervalOptions.percent(intervals.level))% interval." : ""),
                section: "top_regions.csv",
                bytes: Array(StudyFigures.topRegions(
                    report.topRegions, k: report.topK, decimals: AnalysisTables.densityDecimals(report.topRegions.map(\.meanDensity)),
                    intervals: MaskMeanBootstrap.description(intervals)).svg().utf8)),
        ]
        if let montage {
            // The picture says how many it shows and leaves out; the caption, of those it chose from.
            let shown = montage.note.map {
                " \($0.prefix(1).uppercased() + $0.dropFirst()): one per fold and per run (the lowest id), at most \(MontageData.panelsPerRow) a row."
            } ?? ""
            // Masks in viridis, or maps in a diverging scale.
            let drawn = maps
                ? "Attribution maps at the main setting: the first run of each fold (top) and the first fold of each run (bottom), "
                    + "each map's value over its largest |a| in a diverging blue-white-red scale (red positive, white 0, blue negative) over the \(atlasName) outlines."
                : "Masks at the main setting: the first run of each fold (top) and the first fold of each run (bottom), perturbation in viridis over the \(atlasName) outlines."
            figures.append(ReportFigure(
                name: "montage.png",
                caption: drawn + shown,
                section: "top_regions.csv", bytes: PNGEncoder.encode(montage.image)))
        }
        return figures
    }

    /// Writes the report's files into `folder` (created when missing); returns report.md's
    /// path and how many files were written.
    ///
    /// The report is written whole into a temporary folder beside `folder`, then swapped in:
    /// the old report renamed aside, the new one renamed in, the old one deleted. A killed
    /// run leaves the old report or the new one, never one's report.md beside the other's
    /// tables, and its leftovers (hidden siblings named after its process) are removed by
    /// the next run. A folder is replaced whole only when it holds nothing but a report (a
    /// report.md and files a report writes); into one holding other files too (a database,
    /// notes) the report's files are renamed one by one, each whole, and nothing else is removed.
    public static func write(_ report: StudyReport, to folder: String) throws -> (path: String, files: Int) {
        try checkFolder(folder)
        let manager = FileManager.default
        let target = URL(fileURLWithPath: folder).standardizedFileURL
        let parent = target.deletingLastPathComponent().path, name = target.lastPathComponent
        // Foundation's error, if any, names the folder and the system's reason.
        try manager.createDirectory(atPath: parent, withIntermediateDirectories: true)
        removeLeftovers(of: name, in: parent)
        let temporary = (parent as NSString).appendingPathComponent(".\(name).report-tmp-\(getpid())")
        let aside = (parent as NSString).appendingPathComponent(".\(name).report-old-\(getpid())")
        let files = report.files()
        do {
            try manager.createDirectory(atPath: temporary, withIntermediateDirectories: false)
            for file in files {
                try FileBytes.write(file.bytes, to: (temporary as NSString).appendingPathComponent(file.name))
            }
            if !isReplaceable(target.path) {
                for file in files {
                    let destination = (target.path as NSString).appendingPathComponent(file.name)
                    guard rename((temporary as NSString).appendingPathComponent(file.name), destination) == 0 else {
                        throw StudyError.unwritableFolder(folder: folder, existing: folder)
                    }
                }
                try? manager.removeItem(atPath: temporary)
                return ((folder as NSString).appendingPathComponent("report.md"), files.count)
            }
            if manager.fileExists(atPath: target.path) { try manager.moveItem(atPath: target.path, toPath: aside) }
            do {
                try manager.moveItem(atPath: temporary, toPath: target.path)
            } catch {
                try? manager.moveItem(atPath: aside, toPath: target.path)  // the old report back
                throw error
            }
        } catch {
            try? manager.removeItem(atPath: temporary)
            throw error
        }
        try? manager.removeItem(atPath: aside)
        return ((folder as NSString).appendingPathComponent("report.md"), files.count)
    }

    /// A missing or empty folder, or one holding only a report: a report.md, and files with
    /// the extensions a report writes (tables and figures, those of an earlier report too).
    static func isReplaceable(_ folder: String) -> Bool {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder), !entries.isEmpty else { return true }
        var isFolder: ObjCBool = false
        return entries.contains("report.md") && entries.allSatisfy { entry in
            ["md", "csv", "svg", "png"].contains((entry as NSString).pathExtension)
                && FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent(entry), isDirectory: &isFolder)
                && !isFolder.boolValue
        }
    }

    /// Removes the temporary and set-aside folders a killed run left beside `name`: those
    /// of processes that no longer run (a running one may be writing its report now).
    static func removeLeftovers(of name: String, in parent: String) {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
        for entry in entries {
            for kind in [".report-tmp-", ".report-old-"] {
                let prefix = ".\(name)\(kind)"
                guard entry.hasPrefix(prefix), let pid = Int32(entry.dropFirst(prefix.count)) else { continue }
                if pid == getpid() || (kill(pid, 0) != 0 && errno == ESRCH) {
                    try? FileManager.default.removeItem(atPath: (parent as NSString).appendingPathComponent(entry))
                }
            }
        }
    }

    /// Says why `folder` cannot become the report's folder (a file, or under one, or in a
    /// folder that is not writable), creating nothing: called before the work when the
    /// folder is known, so that a bad --out fails at once and a failed report leaves nothing.
    public static func checkFolder(_ folder: String) throws {
        // The folder itself, or else the nearest folder above it that exists.
        var existing = folder
        var isFolder: ObjCBool = false
        while !FileManager.default.fileExists(atPath: existing, isDirectory: &isFolder) {
            let parent = (existing as NSString).deletingLastPathComponent
            let above = parent.isEmpty ? "." : parent
            guard above != existing else { throw StudyError.noFolderAbove(folder: folder) }
            existing = above
        }
        guard isFolder.boolValue else {
            throw StudyError.notAFolder(folder: folder, file: existing)
        }
        guard FileManager.default.isWritableFile(atPath: existing) else {
            throw StudyError.unwritableFolder(folder: folder, existing: existing)
        }
    }
}
