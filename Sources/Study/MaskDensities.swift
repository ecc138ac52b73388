import Atlas
import NIfTI
import StudyCore

/// The density vectors `densities` prints.
public enum MaskDensities {
    /// The vector of `mask` over `atlas`; values outside [0, 1] are refused with a hint to
    /// clamp them, unless `clamp`.
    public static func measure(_ mask: NIfTIImage, atlas: Atlas, semantics: MaskSemantics, clamp: Bool) throws -> RegionDensities {
        do {
            return try DensityCalculator(atlas: atlas).densities(of: mask, semantics: semantics, clamp: clamp)
        } catch {
            guard case .maskOutOfRange = error else { throw error }
            throw StudyError.maskOutOfRange(error)
        }
    }
}
