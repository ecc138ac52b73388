import Store
import StudyCore
import ArgumentParser
import Atlas

extension MaskSemantics: ExpressibleByArgument {}

/// `--atlas` and `--labels`: which atlas densities are over.
struct AtlasOptions: ParsableArguments {
    /// `aal2` (built in) or a label image file.
    @Option(help: ArgumentHelp("The atlas: 'aal2' (built in) or a label image (.nii/.nii.gz).", valueName: "aal2|ATLAS.nii[.gz]"))
    var atlas: String = "aal2"

    /// The label table of an atlas given as a file.
    @Option(help: ArgumentHelp("Label table (TSV with roi_value, roi_name) of an atlas file.", valueName: "LABELS.tsv"))
    var labels: String?

    var isBuiltin: Bool { atlas.lowercased() == "aal2" }

    func validate() throws {
        if isBuiltin, labels != nil {
            throw ValidationError("'--labels' goes with '--atlas ATLAS.nii[.gz]'; the built-in aal2 has its own")
        }
        if !isBuiltin, labels == nil {
            throw ValidationError("'--atlas \(atlas)' needs '--labels LABELS.tsv' naming its regions")
        }
    }

    /// Loads the chosen atlas.
    func load() throws -> Atlas {
        if isBuiltin { return try Atlas.aal2() }
        return try Atlas.load(imagePath: atlas, labelsPath: labels ?? "")
    }
}
