import NIfTI

extension MaskDB {
    /// What `maskdb --version` prints: the version and which code inflates .nii.gz files,
    /// e.g. "0.1.0 (gzip: libdeflate from libdeflate.so.0)".
    static let versionText = "0.1.0 (gzip: \(Inflater.current))"
}
