/// What a mask's values mean.
public enum MaskSemantics: String, Sendable, CaseIterable, Codable {
    /// 1 keeps the voxel, 0 perturbs it (the paper's convention): perturbation = 1 - m.
    case keep
    /// 1 marks a perturbed voxel: perturbation = m.
    case perturb
}
