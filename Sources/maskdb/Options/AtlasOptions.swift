import Store
import StudyCore
import ArgumentParser
import Atlas

extension MaskSemantics: ExpressibleByArgument {}

/// `--atlas` and `--labels`: which atlas densities are over.
struct AtlasOptions: ParsableArguments {
    /// `aal2` (built in), an atlas registered in the database, or a label image file.
    @Option(help: ArgumentHelp(
        "The atlas: 'aal2' (built in), an atlas registered in the database (maskdb atlases), or a label image (.nii/.nii.gz) with --labels.",
        valueName: "aal2|NAME|ATLAS.nii[.gz]"))
    var atlas: String = "aal2"

    /// The label table of an atlas given as a file.
    @Option(help: ArgumentHelp("Label table (TSV with roi_value, roi_name) of an atlas file.", valueName: "LABELS.tsv"))
    var labels: String?

    var isBuiltin: Bool { atlas.lowercased() == "aal2" }

    func validate() throws {
        if isBuiltin, labels != nil {
            throw ValidationError("'--labels' goes with '--atlas ATLAS.nii[.gz]'; the built-in aal2 has its own")
        }
    }

    /// A registered atlas's name: neither the built-in one nor a file with its labels.
    var registeredName: String? { isBuiltin || labels != nil ? nil : atlas }

    /// Loads the chosen atlas: a registered one from `store` (opened only then).
    func load(store: () throws -> any StudyStore) throws -> Atlas {
        if isBuiltin { return try Atlas.aal2() }
        guard let registeredName else { return try Atlas.load(imagePath: atlas, labelsPath: labels ?? "") }
        let database: any StudyStore
        do {
            database = try store()
        } catch {
            throw ValidationError("'--atlas \(atlas)' needs '--labels LABELS.tsv' naming its regions, or the name of an atlas registered in the database (maskdb atlases)")
        }
        guard try database.atlasNames().contains(registeredName) else {
            throw ValidationError("'--atlas \(atlas)' is no atlas registered in \(database.location) (\(try database.atlasNames().joined(separator: ", "))); give a label image with '--labels LABELS.tsv', or register it with 'maskdb atlas add'")
        }
        return try database.atlas(named: registeredName)
    }
}
