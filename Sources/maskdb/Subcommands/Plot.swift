import ArgumentParser
import CLISupport
import NIfTI
import SQLiteStore
import Study
import StudyCore

extension MaskDB {
    /// `maskdb plot`: the report's pictures, for any selection.
    struct Plot: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "plot",
            abstract: "Draw a mask, a montage of masks (PNG), or a similarity, grid, top-regions or robustness chart (SVG).",
            subcommands: [Mask.self, Montage.self, SimilarityChart.self, GridChart.self, TopRegionsChart.self, RobustnessChart.self])
    }
}

/// `-o FILE`, checked for the right extension.
struct PlotOutput: ParsableArguments {
    @Option(name: .shortAndLong, help: ArgumentHelp("The file to write.", valueName: "file"))
    var output: String

    func check(_ suffix: String) throws {
        guard output == "-" || output.lowercased().hasSuffix(suffix) else { throw ValidationError("'-o \(output)': this picture is written as \(suffix)") }
    }

    /// Writes the picture to the file, or alone to stdout for `-o -`.
    func write(_ bytes: [UInt8]) throws {
        if output == "-" { return Output.write(bytes) }
        try FileBytes.write(bytes, to: output)
        Output.print("wrote \(output)")
    }
}

extension MaskDB.Plot {
    /// `maskdb plot mask`.
    struct Mask: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "mask", abstract: "Draw one recorded mask's slices as PNG.")

        @OptionGroup var store: StoreOptions

        @Argument(help: ArgumentHelp("A mask file, id or sha256 (prefix).", valueName: "target"))
        var target: String

        @OptionGroup var output: PlotOutput

        @Option(help: "Planes, comma-separated: axial, coronal, sagittal.", transform: SlicePlaneList.parse)
        var slices = SlicePlaneList.all

        @Option(
            help: ArgumentHelp("The voxel the slices go through (default: the point of highest perturbation).", valueName: "x,y,z"),
            transform: VoxelCoordinate.parse)
        var at: VoxelCoordinate?

        func validate() throws {
            try output.check(".png")
        }

        func run() throws {
            do {
                try output.write(StudyPlots.mask(store: try store.open(), target: target, planes: slices.planes, at: at?.indices))
            } catch let error as StudyError {
                // A voxel outside the grid is a bad --at, like one that is not a voxel at all.
                guard case .pointOutsideGrid = error else { throw error }
                throw ValidationError(error.description)
            }
        }
    }

    /// `maskdb plot montage`.
    struct Montage: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "montage", abstract: "Draw masks as PNG: one row per value of a setting.", discussion: "At most \(StudyPlots.montageLimit) masks are drawn; the note on stderr says how many of how many.")

        @OptionGroup var store: StoreOptions
        @OptionGroup var filter: FilterOptions
        @OptionGroup var output: PlotOutput

        @Option(help: ArgumentHelp("One row per value of this setting.", valueName: "field"), transform: StudyField.compared)
        var by = StudyField.fold

        @Option(help: "At most this many masks per row.")
        var perRow = 6

        func validate() throws {
            try output.check(".png")
            guard perRow >= 1 else { throw ValidationError("'--per-row': give at least 1") }
        }

        func run() throws {
            let database = try store.open()
            let selection = try StudySelection(store: database, filter: try filter.maskFilter(in: database), using: [("--by", by)])
            let montage = try StudyPlots.montage(selection, store: database, by: by, perRow: perRow)
            try output.write(montage.png)
            if let note = montage.note { Output.error("maskdb: note: \(note)") }
        }
    }

    /// `maskdb plot similarity`.
    struct SimilarityChart: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "similarity", abstract: "Draw the ROI-based similarity matrix as SVG.")

        @OptionGroup var store: StoreOptions
        @OptionGroup var filter: FilterOptions
        @OptionGroup var output: PlotOutput
        @OptionGroup var measured: MeasuredAtlasOption

        @Option(help: ArgumentHelp("The setting.", valueName: "field"), transform: StudyField.compared)
        var by = StudyField.lambda1

        @OptionGroup var pairs: PairingOptions

        func validate() throws {
            try output.check(".svg")
            try pairs.check(comparing: [by])
        }

        func run() throws {
            let database = try store.open()
            let selection = try StudySelection(
                store: database, filter: try filter.maskFilter(in: database), using: [("--by", by)] + pairs.fields, atlas: measured.atlas)
            let matrix = selection.similarity(by: by, pairing: pairs.pairing)
            try output.write(StudyPlots.similarity(selection, by: by, pairing: pairs.pairing))
            PairingOptions.printNotes(selection.poolingNotes(pairs.pairing, comparing: by) + selection.pairNotes(matrix, pairing: pairs.pairing))
        }
    }

    /// `maskdb plot grid`.
    struct GridChart: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "grid", abstract: "Draw the grid-search heatmap as SVG.")

        @OptionGroup var store: StoreOptions
        @OptionGroup var filter: FilterOptions
        @OptionGroup var output: PlotOutput
        @OptionGroup var measured: MeasuredAtlasOption

        @OptionGroup var grid: GridOptions

        func validate() throws {
            try output.check(".svg")
        }

        func run() throws {
            let database = try store.open()
            let selection = try StudySelection(store: database, filter: try filter.maskFilter(in: database), using: grid.fields, atlas: measured.atlas)
            try output.write(StudyPlots.grid(selection, rows: grid.rows, columns: grid.cols, value: grid.value))
            PairingOptions.printNotes(selection.poolingNotes())
        }
    }

    /// `maskdb plot top-rois`.
    struct TopRegionsChart: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "top-rois", abstract: "Draw the top regions as an SVG bar chart.")

        @OptionGroup var store: StoreOptions
        @OptionGroup var filter: FilterOptions
        @OptionGroup var output: PlotOutput
        @OptionGroup var measured: MeasuredAtlasOption

        @Option(help: "How many of each mask's densest regions count.")
        var k = 5

        @Flag(help: "Merge _L and _R regions.")
        var mergeHemispheres = false

        @OptionGroup(title: "Intervals") var intervals: IntervalFlags

        func validate() throws {
            try output.check(".svg")
            guard k >= 1 else { throw ValidationError("'--k \(k)': give at least 1") }
        }

        func run() throws {
            let database = try store.open()
            let selection = try StudySelection(store: database, filter: try filter.maskFilter(in: database), atlas: measured.atlas)
            try output.write(StudyPlots.topRegions(selection, k: k, mergeHemispheres: mergeHemispheres, intervals: intervals.options))
            PairingOptions.printNotes(selection.poolingNotes())
        }
    }

    /// `maskdb plot robustness`.
    struct RobustnessChart: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "robustness", abstract: "Draw the inter-run and inter-fold ROI similarity, with intervals, beside the random-pair baseline, as SVG.",
            discussion: "The selection, pairing and interval options are those of `maskdb robustness`; the notes on stderr are its notes.")

        @OptionGroup var store: StoreOptions
        @OptionGroup var pairs: PairingOptions
        @OptionGroup var filter: FilterOptions
        @OptionGroup var output: PlotOutput
        @OptionGroup var measured: MeasuredAtlasOption
        @OptionGroup(title: "Intervals") var intervals: IntervalFlags

        /// How two masks' agreement is measured.
        @Option(help: "How two masks agree, as 'maskdb robustness --metric' takes it (default: roi, the cosine of density vectors).")
        var metric: SimilarityMetric = .roi

        @OptionGroup(title: "Measures") var measures: MeasureFlags

        func validate() throws {
            try output.check(".svg")
            if metric == .prob { throw ValidationError("'--metric prob': the chart is of a measure of mask pairs") }
            try pairs.check(comparing: [.run, .fold])
        }

        func run() throws {
            let database = try store.open()
            let selection = try StudySelection(store: database, filter: try filter.maskFilter(in: database), using: pairs.fields, atlas: measured.atlas)
            let voxels = try selection.voxelMaps(for: metric, store: database, options: measures.voxelOptions, jobs: measures.workers)
            let chart = try StudyPlots.robustness(
                selection, pairing: pairs.pairing, metric: metric, k: measures.k, voxels: voxels, intervals: intervals.options)
            try output.write(chart.svg)
            PairingOptions.printNotes(
                selection.poolingNotes(pairs.pairing) + [chart.table.intervals.description] + selection.kindNotes(pairs.pairing)
                    + selection.pairNotes(chart.table, pairing: pairs.pairing, noEvaluations: false))
        }
    }
}
