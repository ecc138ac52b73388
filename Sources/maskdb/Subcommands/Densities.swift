import ArgumentParser
import Atlas
import NIfTI
import Reports

extension MaskDB {
    /// `maskdb densities`: a mask's density vector over an atlas.
    struct Densities: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a mask's per-region densities (mean perturbation) over an atlas.",
            discussion: """
                The perturbation is 1 - m for 'keep' masks (1 keeps the voxel) and m for 'perturb' \
                masks. When the mask's grid differs from the atlas's, the atlas is resampled onto it \
                (nearest neighbour); regions left without voxels print an empty density.
                """
        )

        /// The mask file.
        @Argument(help: ArgumentHelp("The mask (.nii or .nii.gz).", valueName: "file"))
        var file: String

        @OptionGroup var atlas: AtlasOptions

        /// What the mask's values mean.
        @Option(help: "What 1 means in the mask: keep (1 keeps the voxel) or perturb.")
        var semantics: MaskSemantics = .keep

        /// Clamp out-of-range values instead of refusing the mask.
        @Flag(help: "Clamp values outside [0, 1] instead of refusing the mask.")
        var clamp = false

        @OptionGroup var output: FormatOptions

        func run() async throws {
            let mask = try NIfTIImage(contentsOf: file)
            let calculator = DensityCalculator(atlas: try atlas.load())
            let densities = try calculator.densities(of: mask, semantics: semantics, clamp: clamp)
            Output.print(DensityTable.table(densities).rendered(as: output.format))
        }
    }
}

/// The `label,name,density,voxels` table of a density vector.
enum DensityTable {
    static func table(_ vector: RegionDensities) -> Table {
        var table = Table(columns: [.init("label"), .init("name"), .init("density", decimals: 6), .init("voxels")])
        for (index, region) in vector.regions.enumerated() {
            table.append([
                .integer(region.label), .text(region.name),
                .number(vector.densities[index]), .integer(vector.voxelCounts[index]),
            ])
        }
        return table
    }
}
