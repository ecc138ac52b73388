import Atlas
import StudyCore

/// What the study logic cannot do with the data it found, each message one line naming
/// the study, selection or folder and what to do next.
public enum StudyError: Error, Equatable, Sendable {
    /// The database has no study to report on.
    case noStudy
    /// The database has several studies and none was picked.
    case severalStudies(names: [String])
    /// The named study is not in the database.
    case unknownStudy(name: String, location: String, known: [String])
    /// The study exists but has no masks.
    case studyWithoutMasks(name: String)
    /// A report's `--where` selects none of the study's masks.
    case noMaskSelected(study: String, expression: String)
    /// A `--main` text is not `FIELD=VALUE` equalities joined by `and`.
    case mainNotEqualities(String)
    /// `--main` gives a setting twice.
    case mainGivenTwice(StudyField)
    /// No mask (among those with the values given before it) has a `--main` value.
    case mainNotRecorded(field: StudyField, value: SettingValue, with: [String], selected: Bool, recorded: [String])
    /// The selected masks' density vectors are over different atlases, so they do not compare.
    case severalAtlases(names: [String])
    /// An option names a parameter that no selected mask has.
    case unknownField(option: String, field: StudyField, known: [StudyField])
    /// A picture was asked of no mask.
    case nothingSelected
    /// A grid picture was asked of a value no selected mask has.
    case noNumericValue(GridValue)
    /// A mask's values lie outside [0, 1] and clamping them was not asked for.
    case maskOutOfRange(AtlasError)
    /// The voxel the slices go through is outside the mask's grid.
    case pointOutsideGrid(shape: [Int])
    /// Neither a report folder nor any folder above it exists.
    case noFolderAbove(folder: String)
    /// A report folder is a file, or lies under one.
    case notAFolder(folder: String, file: String)
    /// A report folder cannot be written.
    case unwritableFolder(folder: String, existing: String)
}

extension StudyError: CustomStringConvertible {
    /// The message: what is wrong and what to do.
    public var description: String {
        switch self {
        case .noStudy:
            "the database has no study yet; import masks first"
        case let .severalStudies(names):
            "the database has several studies (\(names.joined(separator: ", "))); pick one with --study"
        case let .unknownStudy(name, location, known):
            "no study '\(name)' in \(location); it has \(known.joined(separator: ", "))"
        case let .studyWithoutMasks(name):
            "study '\(name)' has no masks yet; import masks first"
        case let .noMaskSelected(study, expression):
            "no mask of study '\(study)' matches --where \"\(expression)\"; a report needs masks"
        case let .mainNotEqualities(text):
            "'\(text)' is not settings written FIELD=VALUE and joined by 'and' (e.g. \"lambda1=0.01 and lambda2=0.001\")"
        case let .mainGivenTwice(field):
            "\(field.name) is given twice"
        case let .mainNotRecorded(field, value, with, selected, recorded):
            "no \(selected ? "selected " : "")mask \(with.isEmpty ? "" : "with \(with.joined(separator: " and ")) ")has \(field.name) = \(value); "
                + "recorded\(with.isEmpty ? "" : " there"): \(recorded.joined(separator: ", "))"
        case let .severalAtlases(names):
            "the selected masks use several atlases (\(names.joined(separator: ", "))); add --where \"atlas = NAME\""
        case let .unknownField(option, field, known):
            "'\(option) \(field)': no selected mask has this \(field.role == .annotation ? "annotation" : "parameter"); "
                + (NameSuggestion.closest(to: field.name, among: known.map(\.name)).map { "did you mean \($0)? " } ?? "")
                + (known.isEmpty ? "they have none" : "they have \(known.map(\.name).joined(separator: ", "))")
        case .nothingSelected:
            "no recorded mask matches --where; nothing to draw"
        case let .noNumericValue(value):
            "no selected mask has a numeric \(value); nothing to draw"
        case let .maskOutOfRange(error):
            "\(error)\(error.suggestsRescaling ? "" : " (or pass --clamp to clamp them)")"
        case let .pointOutsideGrid(shape):
            "'--at': the mask's grid is \(shape.map(String.init).joined(separator: " x "))"
        case let .noFolderAbove(folder):
            "\(folder): no folder above it exists"
        case let .notAFolder(folder, file):
            "\(folder): \(file == folder ? "a file" : "\(file) is a file"), not a folder; give --out a folder"
        case let .unwritableFolder(folder, existing):
            "\(folder): \(existing) is not writable; give --out a folder you can write to"
        }
    }
}
