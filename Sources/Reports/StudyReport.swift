import Analysis
import Formatting
import StudyCore

/// Everything a study report shows, computed beforehand from stored data.
public struct StudyReport: Sendable {
    /// A model metric's spread over folds and runs.
    public struct Performance: Sendable {
        public var dataset: String
        public var metric: String
        public var spread: Spread
        public init(dataset: String, metric: String, spread: Spread) {
            self.dataset = dataset
            self.metric = metric
            self.spread = spread
        }
    }

    /// One mask of the provenance appendix.
    public struct Provenance: Sendable {
        public var id: Int64
        public var sha256: String
        /// Its fields (as in `MaskSample`): its model's, its settings, semantics and parameters.
        public var fields: SampleFields
        public var values: [SettingValue]
        /// Its file's path relative to the folder of the manifest it was imported from
        /// (its full path is in `maskdb audit`).
        public var source: String
        public init(id: Int64, sha256: String, fields: SampleFields, values: [SettingValue], source: String) {
            self.id = id
            self.sha256 = sha256
            self.fields = fields
            self.values = values
            self.source = source
        }

        public var settings: [StudyField: SettingValue] { Dictionary(uniqueKeysWithValues: zip(fields.list, values)) }
    }

    public var study: String
    /// A paragraph shown under the title (e.g. that the study is synthetic).
    public var note: String?
    public var modelCount: Int
    public var maskCount: Int
    public var evaluationCount: Int
    public var folds: [SettingValue]
    public var runs: [SettingValue]
    public var lambda1s: [SettingValue]
    public var lambda2s: [SettingValue]
    public var atlas: String
    /// The `--where` text that selected the report's masks (nil: every mask of the study).
    public var selection: String?
    /// The setting the top regions and the montage use, e.g. "λ1 = 0.01, λ2 = 0.001".
    public var mainSetting: String
    /// How it was chosen, e.g. "given by --main; 4 of the 4 models have masks there".
    public var mainSettingRule: String
    public var performance: [Performance]
    public var grid: GridTable
    /// How the grid's masks were chosen.
    public var gridScope: String
    public var similarity: SimilarityMatrix
    public var robustness: RobustnessTable
    public var topRegions: [TopRegionRow]
    public var topK: Int
    public var provenance: [Provenance]
    /// What the similarity and robustness pairs pooled over, and why a mean has no pair
    /// (e.g. "pooled over annotation.slurm_job (20 values)").
    public var similarityNotes: [String] = []
    /// How many of the records are attribution maps (counted in `maskCount`, which the λ lists do not cover), and their methods.
    public var attributionMaps = 0
    public var methods: [SettingValue] = []
    public var robustnessNotes: [String] = []
    /// Robustness by each measure of two masks (the cosine's first), and what each measures.
    public var measures: [RobustnessTable] = []
    public var measureMeanings: [String] = []
    /// The pairing rule when `--match` or `--ignore` changed it, e.g. "pairs also agree on annotation.site".
    public var pairingRule: String?
    /// Figures, each shown after the section whose CSV it names.
    public var figures: [ReportFigure] = []
    /// The provenance appendix, rendered: a report builder may make it while other work goes
    /// on (at 50,000 masks its CSV is the largest file), else `files()` makes it.
    public var preparedProvenance: PreparedProvenance?

    /// A report from its parts.
    public init(
        study: String, note: String?, modelCount: Int, maskCount: Int, evaluationCount: Int, folds: [SettingValue],
        runs: [SettingValue], lambda1s: [SettingValue], lambda2s: [SettingValue], atlas: String, selection: String?,
        mainSetting: String, mainSettingRule: String, performance: [Performance], grid: GridTable, gridScope: String, similarity: SimilarityMatrix,
        robustness: RobustnessTable, topRegions: [TopRegionRow], topK: Int, provenance: [Provenance]
    ) {
        self.study = study
        self.note = note
        self.modelCount = modelCount
        self.maskCount = maskCount
        self.evaluationCount = evaluationCount
        self.folds = folds
        self.runs = runs
        self.lambda1s = lambda1s
        self.lambda2s = lambda2s
        self.atlas = atlas
        self.selection = selection
        self.mainSetting = mainSetting
        self.mainSettingRule = mainSettingRule
        self.performance = performance
        self.grid = grid
        self.gridScope = gridScope
        self.similarity = similarity
        self.robustness = robustness
        self.topRegions = topRegions
        self.topK = topK
        self.provenance = provenance
    }
}

/// A figure of a report: a file beside report.md, embedded after a section.
public struct ReportFigure: Sendable, Equatable {
    /// The file's name within the report folder (`.svg` or `.png`).
    public var name: String
    /// One sentence saying what the figure shows.
    public var caption: String
    /// The CSV of the section it follows (e.g. `grid.csv`).
    public var section: String
    public var bytes: [UInt8]

    /// A figure.
    public init(name: String, caption: String, section: String, bytes: [UInt8]) {
        self.name = name
        self.caption = caption
        self.section = section
        self.bytes = bytes
    }
}

/// A file of a rendered report.
public struct ReportFile: Sendable, Equatable {
    /// The file's name within the report folder.
    public var name: String
    public var bytes: [UInt8]

}

extension StudyReport {
    /// A section of report.md and its CSV.
    private struct Section {
        var name: String
        var title: String
        var how: String
        /// The CSV's table, at full precision.
        var table: Table
        /// The CSV's bytes when they were rendered before (the provenance's, while the
        /// analyses ran), else nil: `table` rendered.
        var csv: [UInt8]?
        /// The table report.md shows (the CSV's unless made for reading).
        var shown: Table
        /// Lines above and below the shown table.
        var before: [String] = []
        var after: [String] = []

        init(name: String, title: String, how: String, table: Table, csv: [UInt8]? = nil, shown: Table, before: [String] = [], after: [String] = []) {
            (self.name, self.title, self.how, self.table, self.csv, self.shown, self.before, self.after) = (name, title, how, table, csv, shown, before, after)
        }
    }

    /// Notes as a markdown list, then a blank line (nothing for none).
    private static func listed(_ notes: [String]) -> [String] {
        notes.isEmpty ? [] : notes.map { "- \($0)" } + [""]
    }

    /// What a "–" in a table means: no mask or pair to average.
    static let dash = "–"

    /// `report.md` and one CSV per table. Deterministic: sorted rows, fixed decimals in
    /// the markdown, full precision in the CSVs, no timestamps.
    public func files() -> [ReportFile] {
        let grid = AnalysisTables.grid(self.grid)
        let similarityTable = AnalysisTables.similarity(similarity, counts: true)
        let robustnessTable = AnalysisTables.robustness(robustness)
        let topRegionsTable = AnalysisTables.topRegions(topRegions)
        let provenance = preparedProvenance ?? Self.prepareProvenance(self.provenance)
        let sections = [
            Section(
                name: "performance.csv", title: "Model performance",
                how: "Each metric's mean ± sample standard deviation over the folds and runs that report it.",
                table: performanceTable, shown: performanceTable),
            Section(
                name: "grid.csv", title: "Grid search over λ1 and λ2",
                how: "Mean perturbation over every \(atlas) voxel (1 - m for keep masks), averaged over the masks in each cell; \(gridScope).",
                table: grid, shown: Self.dashed(grid),
                after: Self.hasDash(Self.dashed(grid)) ? ["\(Self.dash): no mask has this λ1 and λ2, so there is no mean.", ""] : []),
            Section(
                name: "similarity_lambda1.csv", title: "ROI-based similarity across values of λ1",
                how: "Cell (a, b): mean cosine similarity of the \(atlas) density vectors of masks with λ1 = a and λ1 = b that share the model and every other setting, with its interval where the pairs are of several models (the bootstrap of the table below; the CSV has the bounds) and the number of such pairs in parentheses; the diagonal is 1.",
                table: similarityTable, shown: similarityShown,
                after: (Self.hasDash(similarityShown) ? ["\(Self.dash): no pair of masks differs in λ1 alone between these values, so there is no mean.", ""] : [])
                    + Self.listed(similarityNotes)),
            Section(
                name: "robustness.csv", title: "CNN robustness: inter-runs and inter-folds",
                how: "prob_cnn: mean probability of the true class a model gives to inputs masked by a mask of another run (same fold) or fold (same run); 0 = similar, 1 = dissimilar. roi_cosine: mean cosine similarity of such masks' density vectors; 1 = similar. Each mean is followed by the number of pairs behind it (prob_cnn: evaluations of a mask by another model).",
                table: robustnessTable, shown: robustnessShown,
                after: (Self.hasDash(robustnessShown)
                    ? ["\(Self.dash): no such pair, so there is no mean (prob_cnn needs evaluations of masks by other runs' and folds' models: `maskdb import evaluations`).", ""]
                    : []) + robustnessLines + Self.listed(robustnessNotes)),
            Section(
                name: "measures.csv", title: "Agreement measures: inter-runs and inter-folds",
                how: "The masks' agreement by each measure below, over the same inter-run and inter-fold pairs as the table above: each mean with its interval, difference = inter_runs - inter_folds with its interval and p-value, and random_pairs, the mean over masks of different models and different settings (same intervals and seed).",
                table: AnalysisTables.measures(measures), shown: measuresShown,
                after: Self.listed(measureMeanings + measures.filter(\.roiRandomPairsSampled).map {
                    "\($0.measureName): random_pairs is the mean of \($0.roiRandomPairs.count) of the pairs drawn at random, too many to visit one by one"
                })),
            Section(
                name: "top_regions.csv", title: "Top regions across folds and runs",
                how: "Masks at the main setting (\(mainSetting)); regions ranked by density within each mask, left and right merged (voxel-weighted); rows ranked by how many masks have the region in their top \(topK), then by mean density.",
                table: topRegionsTable, shown: topRegionsTable),
            Section(
                name: "provenance.csv", title: "Appendix: provenance of every mask",
                how: "Every mask the tables use: its record id, the sha256 of its file (full digest in the CSV; `maskdb audit ID` tells the rest), the settings that differ between the masks (the CSV has every one), and its file's path relative to the manifest it was imported from.",
                table: Table(columns: []), csv: provenance.csv, shown: provenance.shown, before: provenance.shared.map { [$0, ""] } ?? [],
                after: self.provenance.count > Self.provenanceShown
                    ? ["The first \(Self.provenanceShown) of the \(self.provenance.count) masks, by id; every one is in `provenance.csv`.", ""] : []),
        ]
        var markdown = ["# \(study): perturbation-mask robustness report", ""]
        if let note { markdown += ["> \(note)", ""] }
        markdown += ["## Study", ""] + summaryLines + [""]
        for section in sections {
            markdown += ["## \(section.title)", "", section.how + " (`\(section.name)`)", ""] + section.before
            markdown += [section.shown.rows.isEmpty ? "_Nothing recorded._\n" : section.shown.rendered(as: .md)] + section.after
            for figure in figures where figure.section == section.name {
                markdown += ["![\(figure.caption)](\(figure.name))", "", "_\(figure.caption)_ (`\(figure.name)`)", ""]
            }
        }
        return [ReportFile(name: "report.md", bytes: Array(markdown.joined(separator: "\n").utf8))]
            + sections.map { ReportFile(name: $0.name, bytes: $0.csv ?? Array($0.table.rendered(as: .csv).utf8)) }
            + figures.map { ReportFile(name: $0.name, bytes: $0.bytes) }
    }

    /// "36 masks, with λ1 in {…} and λ2 in {…}", and the attribution maps beside them, by method.
    private var recordsLine: String {
        func list(_ values: [SettingValue]) -> String { values.filter { $0 != .missing }.map(\.description).joined(separator: ", ") }
        let masks = maskCount - attributionMaps
        let maps = "\(attributionMaps) attribution \(attributionMaps == 1 ? "map" : "maps"), with method in {\(methods.map { $0 == .text("") ? "''" : $0.description }.joined(separator: ", "))}"
        guard masks > 0 else { return "- " + maps }
        return "- \(masks) masks, with λ1 in {\(list(lambda1s))} and λ2 in {\(list(lambda2s))}" + (attributionMaps > 0 ? "; \(maps)" : "")
    }

    private var summaryLines: [String] {
        func list(_ values: [SettingValue]) -> String { values.map(\.description).joined(separator: ", ") }
        return [
            "- selection: " + (selection.map { "the masks matching `--where \"\($0)\"`, and their models" } ?? "every mask of the study"),
            "- \(modelCount) models over folds \(list(folds)) and runs \(list(runs))",
            recordsLine,
            "- main setting \(mainSetting); the top regions and the montage show its masks",
            "  - \(mainSettingRule)",
        ] + (pairingRule.map { ["- mask pairs agree on the model and every setting but the one compared (annotations aside); \($0) (--match/--ignore)"] } ?? []) + [
            "- \(evaluationCount) evaluations (probabilities of masked inputs)",
            "- densities over the \(atlas) atlas",
        ]
    }

    private var performanceTable: Table {
        var table = Table(columns: [.init("dataset"), .init("metric"), .init("mean", decimals: 3), .init("sd", decimals: 3), .init("n")])
        for row in performance {
            table.append([.text(row.dataset), .text(row.metric), .number(row.spread.mean), .number(row.spread.sd), .integer(row.spread.count)])
        }
        return table
    }

    /// The similarity matrix for reading: each mean with its pairs, "–" for none.
    private var similarityShown: Table {
        let labels = similarity.values.map(\.description)
        var table = Table(columns: [.init(similarity.field.name)] + labels.map { .init($0) })
        for (a, label) in labels.enumerated() {
            table.append([.text(label)] + labels.indices.map { b in
                guard a != b else { return .text(NumberText.fixed(1, decimals: 3)) }
                guard let mean = similarity.means[a][b], similarity.pairs[a][b] > 0 else { return .text(Self.dash) }
                let interval = similarity.intervals?[a][b].map { " [\(NumberText.fixed($0.lower, decimals: 3)), \(NumberText.fixed($0.upper, decimals: 3))]" }
                return .text("\(NumberText.fixed(mean, decimals: 3))\(interval ?? "") (\(similarity.pairs[a][b]))")
            })
        }
        return table
    }

    /// The robustness table for reading: each mean beside its interval and pairs, "–" for
    /// none; each difference with its interval and p-value.
    private var robustnessShown: Table {
        let level = "\(IntervalOptions.percent(robustness.intervals.level))% CI"
        var table = Table(columns: [
            .init("metric"), .init("inter_runs", decimals: 3), .init(level), .init("inter_runs_pairs"), .init("inter_folds", decimals: 3),
            .init(level), .init("inter_folds_pairs"), .init("difference", decimals: 3), .init(level), .init("p", decimals: 4),
        ])
        func interval(_ interval: Interval?) -> Table.Cell {
            interval.map { .text("[\(NumberText.fixed($0.lower, decimals: 3)), \(NumberText.fixed($0.upper, decimals: 3))]") } ?? .empty
        }
        let prob = robustness
        table.append([
            .text("prob_cnn"), .number(prob.probInterRuns.value), interval(prob.probInterRunsInterval), .integer(prob.probInterRuns.count),
            .number(prob.probInterFolds.value), interval(prob.probInterFoldsInterval), .integer(prob.probInterFolds.count),
            .number(prob.probDifference), interval(prob.probDifferenceInterval), .number(prob.probDifferenceP),
        ])
        let roi = robustness
        table.append([
            .text("roi_cosine"), .number(roi.roiInterRuns.value), interval(roi.roiInterRunsInterval), .integer(roi.roiInterRuns.count),
            .number(roi.roiInterFolds.value), interval(roi.roiInterFoldsInterval), .integer(roi.roiInterFolds.count),
            .number(roi.roiDifference), interval(roi.roiDifferenceInterval), .number(roi.roiDifferenceP),
        ])
        return Self.dashed(table)
    }

    /// The table of measures for reading: as the robustness table's row of each, with the baseline.
    private var measuresShown: Table {
        let level = "\(IntervalOptions.percent(robustness.intervals.level))% CI"
        var table = Table(columns: [
            .init("measure"), .init("inter_runs", decimals: 3), .init(level), .init("inter_folds", decimals: 3), .init(level),
            .init("difference", decimals: 3), .init(level), .init("p", decimals: 4), .init("random_pairs", decimals: 3), .init("pairs"),
        ])
        for m in measures {
            table.append([
                .text(m.measureName), .number(m.roiInterRuns.value), Self.shown(m.roiInterRunsInterval), .number(m.roiInterFolds.value),
                Self.shown(m.roiInterFoldsInterval), .number(m.roiDifference), Self.shown(m.roiDifferenceInterval), .number(m.roiDifferenceP),
                .number(m.roiRandomPairs.value), .text("\(m.roiInterRuns.count) / \(m.roiInterFolds.count)"),
            ])
        }
        return Self.dashed(table)
    }

    /// An interval as "[lower, upper]" to 3 decimals, empty for none.
    static func shown(_ interval: Interval?) -> Table.Cell {
        interval.map { .text("[\(NumberText.fixed($0.lower, decimals: 3)), \(NumberText.fixed($0.upper, decimals: 3))]") } ?? .empty
    }

    /// What the robustness table's intervals are, and the random-pair baseline beside its means.
    private var robustnessLines: [String] {
        let baseline = robustness.roiRandomPairs, roi = robustness
        let untold = [(roi.roiInterRuns, roi.roiInterRunsInterval), (roi.roiInterFolds, roi.roiInterFoldsInterval)]
            .contains { $0.0.count > 0 && $0.1 == nil }
        return (untold
            ? ["A mean with – for its interval: too few models for the bootstrap to tell (fewer than half the resamples have a pair), or pairs pooled over models.", ""]
            : []) + [
            robustness.intervals.description.prefix(1).uppercased() + robustness.intervals.description.dropFirst()
                + "; difference = inter_runs - inter_folds (the CSV has every bound, and the baseline's pairs).", "",
            baseline.value.map {
                "Random-pair baseline: roi_cosine \(NumberText.fixed($0, decimals: 3)) over the \(baseline.count) pairs of masks of different models and different settings, the similarity of masks that share nothing the study varies."
            } ?? "Random-pair baseline: no pair of masks of different models and different settings.", "",
        ]
    }

    /// `table` with "–" for each empty cell: a mean of nothing.
    private static func dashed(_ table: Table) -> Table {
        var dashed = table
        dashed.rows = table.rows.map { $0.map { $0 == .empty ? .text(dash) : $0 } }
        return dashed
    }

    private static func hasDash(_ table: Table) -> Bool { table.rows.contains { $0.contains(.text(dash)) } }

    /// How many masks the markdown's provenance table lists (the CSV lists all): a table of
    /// 50,000 rows is 3 MB of markdown no one reads.
    public static let provenanceShown = 200

    /// The provenance appendix: the CSV with every field and the full sha256; the table
    /// shown with a sha256 prefix and only the fields whose values differ between masks,
    /// the others named once in `shared`.
    public struct PreparedProvenance: Sendable {
        var csv: [UInt8]
        var shown: Table
        var shared: String?
    }

    /// The appendix of `provenance`, its CSV rendered.
    public static func prepareProvenance(_ provenance: [Provenance]) -> PreparedProvenance {
        // Each list of fields the masks have read once, each field's position in it found once.
        var present = Set<StudyField>(), seen = Set<ObjectIdentifier>()
        for mask in provenance where seen.insert(ObjectIdentifier(mask.fields)).inserted { present.formUnion(mask.fields.list) }
        let parameters = present.filter { $0.role == .parameter || $0.role == .annotation }
        let fields = StudyField.named.filter(present.contains) + parameters.sorted()
        var reader = FieldReader(fields)
        // A mask's value of fields[c] (read in place: no array of values per mask).
        func value(_ mask: Provenance, _ c: Int) -> SettingValue {
            FieldReader.value(mask.values, at: reader.positions(in: mask.fields)[c])
        }
        let first = provenance.first.map { mask in fields.indices.map { value(mask, $0) } } ?? []
        var varying = Array(repeating: false, count: fields.count)
        for mask in provenance {
            for c in fields.indices where !varying[c] && value(mask, c) != first[c] { varying[c] = true }
        }
        let varyingColumns = fields.indices.filter { varying[$0] }
        func cell(_ value: SettingValue) -> Table.Cell {
            switch value {
            case .missing: .empty
            case .number(let number): .number(number)
            case .text(let text): .text(text)
            }
        }
        func columns(_ shown: [Int], header: String) -> [Table.Column] {
            [.init(StudyField.id.name), .init(header)] + shown.map { .init(fields[$0].name, decimals: nil) } + [.init("source")]
        }
        // A row of the masks' table (`shown`: the columns of fields), into a line reused from row to row.
        var line: [Table.Cell] = []
        func row(_ mask: Provenance, _ shown: [Int], sha256: String) -> [Table.Cell] {
            line.removeAll(keepingCapacity: true)
            line.append(.integer(Int(mask.id)))
            line.append(.text(sha256))
            for c in shown { line.append(cell(value(mask, c))) }
            line.append(.text(mask.source))
            return line
        }
        var csv = DelimitedWriter(columns: columns(Array(fields.indices), header: StudyField.sha256.name), format: .csv)
        for mask in provenance { csv.append(row(mask, Array(fields.indices), sha256: mask.sha256)) }
        var shown = Table(columns: columns(varyingColumns, header: "sha256 (prefix)"))
        for mask in provenance.prefix(Self.provenanceShown) { shown.append(row(mask, varyingColumns, sha256: String(mask.sha256.prefix(12)))) }
        let shared = fields.indices.filter { !varying[$0] }.compactMap { c -> String? in
            let value = first[c]
            return value == .missing || value == .text("") ? nil : "\(fields[c].label) = \(value)"
        }
        return PreparedProvenance(
            csv: csv.bytes, shown: shown, shared: shared.isEmpty ? nil : "Every mask has " + shared.joined(separator: ", ") + ".")
    }
}
