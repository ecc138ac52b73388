import StudyCore
import Analysis

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
        public var fold: Int
        public var run: Int
        public var lambda1: Double
        public var lambda2: Double
        /// The file's name (its full path is in `maskdb audit`).
        public var source: String
        public init(id: Int64, sha256: String, fold: Int, run: Int, lambda1: Double, lambda2: Double, source: String) {
            self.id = id
            self.sha256 = sha256
            self.fold = fold
            self.run = run
            self.lambda1 = lambda1
            self.lambda2 = lambda2
            self.source = source
        }
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
    /// The setting most models' masks share, e.g. "λ1 = 0.01, λ2 = 0.001".
    public var mainSetting: String
    public var performance: [Performance]
    public var grid: GridTable
    /// How the grid's masks were chosen.
    public var gridScope: String
    public var similarity: SimilarityMatrix
    public var robustness: RobustnessTable
    public var topRegions: [TopRegionRow]
    public var topK: Int
    public var provenance: [Provenance]
    /// Figures, each shown after the section whose CSV it names.
    public var figures: [ReportFigure] = []

    /// A report from its parts.
    public init(
        study: String, note: String?, modelCount: Int, maskCount: Int, evaluationCount: Int, folds: [SettingValue],
        runs: [SettingValue], lambda1s: [SettingValue], lambda2s: [SettingValue], atlas: String, mainSetting: String,
        performance: [Performance], grid: GridTable, gridScope: String, similarity: SimilarityMatrix,
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
        self.mainSetting = mainSetting
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
    /// `report.md` and one CSV per table. Deterministic: sorted rows, fixed decimals in
    /// the markdown, full precision in the CSVs, no timestamps.
    public func files() -> [ReportFile] {
        let tables: [(name: String, title: String, how: String, table: Table)] = [
            ("performance.csv", "Model performance",
             "Each metric's mean ± sample standard deviation over the folds and runs that report it.",
             performanceTable),
            ("grid.csv", "Grid search over λ1 and λ2",
             "Mean perturbation over every \(atlas) voxel (1 - m for keep masks), averaged over the masks in each cell; \(gridScope).",
             AnalysisTables.grid(grid)),
            ("similarity_lambda1.csv", "ROI-based similarity across values of λ1",
             "Cell (a, b): mean cosine similarity of the \(atlas) density vectors of masks with λ1 = a and λ1 = b that share the model and every other setting; the diagonal is 1.",
             AnalysisTables.similarity(similarity, counts: false)),
            ("robustness.csv", "CNN robustness: inter-runs and inter-folds",
             "prob_cnn: mean probability of the true class a model gives to inputs masked by a mask of another run (same fold) or fold (same run); 0 = similar, 1 = dissimilar. roi_cosine: mean cosine similarity of such masks' density vectors; 1 = similar.",
             AnalysisTables.robustness(robustness)),
            ("top_regions.csv", "Top regions across folds and runs",
             "Masks at the main setting (\(mainSetting)); regions ranked by density within each mask, left and right merged (voxel-weighted); rows ranked by how many masks have the region in their top \(topK), then by mean density.",
             AnalysisTables.topRegions(topRegions)),
            ("provenance.csv", "Appendix: provenance of every mask",
             "Every mask the tables use: its record id, the sha256 of its file (full digest in the CSV; `maskdb audit ID` tells the rest), its model's fold and run, and its λ settings.",
             provenanceTable),
        ]
        var markdown = ["# \(study): perturbation-mask robustness report", ""]
        if let note { markdown += ["> \(note)", ""] }
        markdown += ["## Study", ""] + summaryLines + [""]
        for (name, title, how, table) in tables {
            let shown = name == "provenance.csv" ? shortened(table) : table
            markdown += ["## \(title)", "", how + " (`\(name)`)", "", shown.rows.isEmpty ? "_Nothing recorded._\n" : shown.rendered(as: .md)]
            for figure in figures where figure.section == name {
                markdown += ["![\(figure.caption)](\(figure.name))", "", "_\(figure.caption)_ (`\(figure.name)`)", ""]
            }
        }
        return [ReportFile(name: "report.md", bytes: Array(markdown.joined(separator: "\n").utf8))]
            + tables.map { ReportFile(name: $0.name, bytes: Array($0.table.rendered(as: .csv).utf8)) }
            + figures.map { ReportFile(name: $0.name, bytes: $0.bytes) }
    }

    private var summaryLines: [String] {
        func list(_ values: [SettingValue]) -> String { values.map(\.description).joined(separator: ", ") }
        return [
            "- \(modelCount) models over folds \(list(folds)) and runs \(list(runs))",
            "- \(maskCount) masks, with λ1 in {\(list(lambda1s))} and λ2 in {\(list(lambda2s))}; main setting \(mainSetting)",
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

    private var provenanceTable: Table {
        let fields: [StudyField] = [.id, .sha256, .fold, .run]
        var table = Table(
            columns: fields.map { .init($0.name) } + [.init(StudyField.lambda1.name, decimals: nil), .init(StudyField.lambda2.name, decimals: nil), .init("source")])
        for mask in provenance {
            table.append([
                .integer(Int(mask.id)), .text(mask.sha256), .integer(mask.fold), .integer(mask.run),
                .number(mask.lambda1), .number(mask.lambda2), .text(mask.source),
            ])
        }
        return table
    }

    /// The provenance table with sha256 prefixes, for reading.
    private func shortened(_ table: Table) -> Table {
        var short = table
        short.columns[1].name = "sha256 (prefix)"
        short.rows = table.rows.map { row in
            var row = row
            if case .text(let sha) = row[1] { row[1] = .text(String(sha.prefix(12))) }
            return row
        }
        return short
    }
}
