import ArgumentParser
import Atlas
import CLISupport
import Foundation
import NIfTI
import SQLiteStore
import Store
import Study
import StudyCore

extension MaskDB {
    /// `maskdb densities`: a mask's density vector over an atlas.
    struct Densities: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "densities",
            abstract: "Print a mask's per-region densities (mean perturbation) over an atlas.",
            discussion: """
                TARGET is a mask file, or a recorded mask (its id, sha256, or a sha256 prefix of at least \
                8 hex digits), whose stored vector is printed. The perturbation is 1 - m for 'keep' masks \
                (1 keeps the voxel) and m for 'perturb' masks. When the mask's grid differs from the \
                atlas's, the atlas is resampled onto it (nearest neighbour); regions left without voxels \
                print an empty density.
                """
        )

        /// The mask file or recorded mask.
        @Argument(help: ArgumentHelp("A mask file (.nii or .nii.gz), or a recorded mask's id or sha256 (prefix).", valueName: "target"))
        var target: String

        @OptionGroup var store: StoreOptions

        @OptionGroup var atlas: AtlasOptions

        /// What the mask's values mean.
        @Option(help: "What 1 means in the mask: keep (1 keeps the voxel) or perturb; attribution for a signed map (densities of |a|).")
        var semantics: MaskSemantics = .keep

        /// Clamp out-of-range values instead of refusing the mask.
        @Flag(help: "Clamp values outside [0, 1] instead of refusing the mask.")
        var clamp = false

        /// The grid to measure a file on instead of its header's.
        @Option(help: ArgumentHelp(
            "Measure the file on this image's grid (sizes and affine) instead of its own header's, a leading axis of length 1 dropped: for maps whose header does not place them (ClinicaDL's: an identity affine, shape 1 x X x Y x Z).",
            valueName: "FILE"))
        var gridFrom: String?

        @OptionGroup var output: FormatOptions

        func run() throws {
            let densities: RegionDensities
            if !FileManager.default.fileExists(atPath: target), let recorded = try recordedDensities() {
                guard atlas.labels == nil, semantics == .keep, !clamp, gridFrom == nil else {
                    throw ValidationError("'--labels', '--semantics', '--clamp' and '--grid-from' apply to mask files; a recorded mask's vector is printed as it was stored (on its recorded grid; '--atlas NAME' for its vector over a registered atlas)")
                }
                densities = recorded
            } else {
                var image = try NIfTIImage(contentsOf: target)
                if let gridFrom {
                    let grid = try NIfTIGrid(fileBytes: try FileBytes.read(gridFrom, maximumBytes: MaskSizeLimit.fileBytes()), path: gridFrom)
                    image = try image.placed(on: grid, gridPath: gridFrom)
                }
                densities = try MaskDensities.measure(image, atlas: try atlas.load { try store.open() }, semantics: semantics, clamp: clamp)
            }
            Output.print(RecordTables.densities(densities).rendered(as: output.format))
        }

        /// The stored vector when TARGET looks like a mask id or sha256 and a database exists.
        private func recordedDensities() throws -> RegionDensities? {
            guard MaskTarget.looksRecorded(target), FileManager.default.fileExists(atPath: store.path) else { return nil }
            let database = try store.open()
            return try database.storedDensities(maskID: try database.resolveRecordedMask(target), atlas: atlas.registeredName)
        }
    }
}
