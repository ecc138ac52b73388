import StudyCore

/// What a grid's cells average: a mask's mean perturbation, its own model's probability, or a parameter.
public enum GridValue: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The mask's mean perturbation over every atlas voxel.
    case density
    /// The mean probability the mask's own model gives to inputs it masks.
    case prob
    /// A numeric parameter of the mask, `params.NAME`.
    case parameter(String)

    /// The names a value may be given by, besides `params.NAME`.
    public static let names = ["density", "prob"]

    /// The value `name` spells (`density`, `prob`, `params.NAME`), nil for any other text.
    public init?(name: String) {
        switch name {
        case "density": self = .density
        case "prob": self = .prob
        default:
            guard case .parameter(let parameter)? = StudyField(name: name) else { return nil }
            self = .parameter(parameter)
        }
    }

    /// The name it is given by.
    public var description: String {
        switch self {
        case .density: "density"
        case .prob: "prob"
        case .parameter(let name): StudyField.parameter(name).name
        }
    }
}
