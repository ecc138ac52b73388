/// The bytes of the atlases that ship with maskdb, embedded at build time.
public enum BuiltinAtlasFiles {
    /// AAL2 labels on Clinica's 121 x 145 x 121, 1.5 mm grid (see PROVENANCE.md).
    public static var aal2Image: [UInt8] { PackageResources.atlas_AAL2_dseg_nii_gz }
    /// AAL2 label names: `roi_value`, `roi_name`, with a `Background` row for 0.
    public static var aal2Labels: [UInt8] { PackageResources.atlas_AAL2_dseg_tsv }
}
