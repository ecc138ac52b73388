import Foundation

/// How a report names a mask's file: by its path from the manifest that imported it, as
/// the manifest's author wrote it (`fold-0/run-1/mask.nii.gz`), not by a long absolute path.
public enum SourcePath {
    /// `path` (absolute, as imports record it) relative to the folder of the manifest at
    /// `manifest` (absolute), climbing with `..` when the file is outside that folder;
    /// `path` itself when the manifest has no folder (`(standard input)`). A pattern import
    /// records `ROOT//PATTERN` (a standardized path has no `//`): its folder is ROOT, as
    /// for a manifest in ROOT.
    public static func relative(_ path: String, toManifest manifest: String) -> String {
        folder(ofManifest: manifest).map { relative(path, toFolder: $0) } ?? path
    }

    /// The folder paths in a manifest at `manifest` are relative to; nil for none.
    public static func folder(ofManifest manifest: String) -> String? {
        guard manifest.hasPrefix("/") else { return nil }
        return manifest.range(of: "//").map { String(manifest[..<$0.lowerBound]) } ?? (manifest as NSString).deletingLastPathComponent
    }

    /// `path` relative to the absolute `folder`.
    public static func relative(_ path: String, toFolder folder: String) -> String {
        guard path.hasPrefix("/") else { return path }
        // Nearly every file is inside the folder: its path from there is the rest.
        let inside = folder.hasSuffix("/") ? folder : folder + "/"
        if path.hasPrefix(inside), path.count > inside.count { return String(path.dropFirst(inside.count)) }
        let folder = folder.split(separator: "/"), file = path.split(separator: "/")
        var shared = 0
        while shared < folder.count, shared < file.count - 1, folder[shared] == file[shared] { shared += 1 }
        return (Array(repeating: "..", count: folder.count - shared) + file[shared...].map(String.init)).joined(separator: "/")
    }
}
