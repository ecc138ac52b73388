/// What makes a whole import impossible, before any row is read.
public enum ImportError: Error, Equatable, Sendable {
    /// A manifest cannot be used at all (unreadable, no header, missing or unknown columns).
    case badManifest(path: String, detail: String)
    /// A path pattern cannot be used at all (its syntax, its fields, or it matches no file).
    case badPattern(pattern: String, detail: String)
    /// A ClinicaDL MAPS folder cannot be imported at all (not a MAPS, no grid for its maps).
    case badMAPS(path: String, detail: String)
    /// The database has several studies and neither the rows nor `--study` say which.
    case studyNeeded(path: String, studies: [String])
    /// `atlas add`: the name is not one a command line and a `--atlas` can carry.
    case badAtlasName(name: String)
    /// `atlas add`: the name is registered with other files.
    case atlasNameTaken(name: String, imageSHA256: String, labelsSHA256: String)
    /// `atlas rm`: the built-in atlas.
    case builtinAtlas(name: String)
    /// `atlas rm`: records were imported against the atlas.
    case atlasInUse(name: String, records: Int)
    /// `merge`: a source is the database merged into.
    case mergeIntoItself(path: String)
}

extension ImportError: CustomStringConvertible {
    /// The message: the manifest, and what is wrong with it.
    public var description: String {
        switch self {
        case let .badManifest(path, detail): "\(path): \(detail)"
        case let .badPattern(pattern, detail): "\(pattern): \(detail)"
        case let .badMAPS(path, detail): "\(path): \(detail)"
        case let .studyNeeded(path, studies):
            "\(path): the database has several studies (\(studies.joined(separator: ", "))); say which with --study or a study column"
        case let .badAtlasName(name):
            "'\(name)': an atlas name is letters, digits, '.', '_' and '-', starting with a letter or digit"
        case let .atlasNameTaken(name, image, labels):
            "atlas '\(name)' is registered with other files (image \(image.prefix(12))…, labels \(labels.prefix(12))…); give these another name, or remove it first (maskdb atlas rm \(name))"
        case let .builtinAtlas(name):
            "atlas '\(name)' is maskdb's built-in atlas, which imports measure over by default; it cannot be removed"
        case let .atlasInUse(name, records):
            "atlas '\(name)': \(records) record\(records == 1 ? " was" : "s were") imported against it (\(records == 1 ? "its" : "their") densities are over it); remove \(records == 1 ? "it" : "them") first (maskdb rm --where \"atlas = '\(name)'\")"
        case let .mergeIntoItself(path):
            "\(path): this is the database merged into; a source must be another database"
        }
    }
}
