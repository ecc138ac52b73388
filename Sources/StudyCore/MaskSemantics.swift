/// What a record's values mean: a perturbation mask saved one of two ways, or an
/// attribution map.
public enum MaskSemantics: String, Sendable, CaseIterable, Codable {
    /// 1 keeps the voxel, 0 perturbs it (the paper's convention): perturbation = 1 - m.
    case keep
    /// 1 marks a perturbed voxel: perturbation = m.
    case perturb
    /// A signed saliency map of any scale (gradients, grad-cam, occlusion): its densities
    /// are of |a|.
    case attribution

    /// What kind of record values with these semantics make: keep and perturb are two
    /// spellings of a mask, so only the kind is a setting (`StudyField.kind`).
    public var kind: ExplanationKind {
        self == .attribution ? .attribution : .mask
    }
}

/// What an explanation record is: a perturbation mask or an attribution map. Never paired with each
/// other unless asked (`--ignore kind`).
public enum ExplanationKind: String, Sendable, CaseIterable, Codable {
    /// An optimized perturbation mask (keep or perturb semantics), values in [0, 1].
    case mask
    /// An attribution map (semantics `attribution`), signed, of any scale.
    case attribution
}
