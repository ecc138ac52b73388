import ArgumentParser
import CLISupport
import Import
import SQLiteStore
import Study

extension MaskDB {
    /// `maskdb atlas`: registers and removes atlases.
    struct AtlasCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "atlas",
            abstract: "Register an atlas in the database, or remove one (maskdb atlases lists them).",
            subcommands: [Add.self, Remove.self])

        /// `maskdb atlas add NAME IMAGE LABELS`.
        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "add",
                abstract: "Register a label image and its label table as atlas NAME.",
                discussion: """
                    IMAGE is one 3D volume of whole-number labels (.nii or .nii.gz); LABELS a TSV with roi_value \
                    and roi_name columns naming every label of the image (0 is the background), each with a voxel. \
                    Both files are stored in the database (by sha256) with the regions, in one transaction, and the \
                    command is logged. The same NAME with the same files changes nothing; with other files it is \
                    refused. Then 'maskdb measure --atlas NAME' computes recorded masks' densities over it.
                    """)

            @Argument(help: ArgumentHelp("The atlas's name (letters, digits, '.', '_', '-').", valueName: "name"))
            var name: String
            @Argument(help: ArgumentHelp("The label image (.nii or .nii.gz).", valueName: "image"))
            var image: String
            @Argument(help: ArgumentHelp("The label table (TSV with roi_value, roi_name).", valueName: "labels"))
            var labels: String

            @OptionGroup var store: StoreOptions

            func run() throws {
                let database = try store.open(create: true)
                let added = try database.addAtlas(name: name, imagePath: image, labelsPath: labels, command: InvocationText.current)
                let dims = added.dims.map(String.init).joined(separator: " x ")
                Output.print(added.added
                    ? "added atlas \(added.name): \(added.regions) regions on a \(dims) grid"
                    : "atlas \(added.name) is registered already with these files; nothing changed")
            }
        }

        /// `maskdb atlas rm NAME`.
        struct Remove: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "rm",
                abstract: "Remove registered atlas NAME and every record's densities over it.",
                discussion: """
                    In one transaction, and logged. Its files stay stored until maskdb gc; 'maskdb atlas add' and \
                    'maskdb measure' bring it back. The built-in aal2, and an atlas records were imported against, \
                    are refused.
                    """)

            @Argument(help: ArgumentHelp("The atlas's name (maskdb atlases).", valueName: "name"))
            var name: String

            @OptionGroup var store: StoreOptions

            @Flag(help: "Print what would be removed, and remove nothing.")
            var dryRun = false

            func run() throws {
                let database = try store.open()
                let removal = try database.removeAtlas(name: name, command: InvocationText.current, dryRun: dryRun)
                let densities = "\(removal.vectors) record\(removal.vectors == 1 ? "'s" : "s'") densities over it"
                Output.print(removal.dryRun
                    ? "would remove atlas \(removal.name) and \(densities) (dry run: nothing changed)"
                    : "removed atlas \(removal.name) and \(densities)")
            }
        }
    }

    /// `maskdb atlases`: the registered atlases.
    struct Atlases: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "atlases",
            abstract: "List the registered atlases: regions, grid, files' sha256 prefixes, records imported against and measured over each.")

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: FormatOptions

        func run() throws {
            let database = try store.open()
            Output.print(RecordTables.atlases(try database.atlasSummaries()).rendered(as: output.format))
        }
    }
}
