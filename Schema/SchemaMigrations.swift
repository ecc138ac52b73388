/// The SQL migrations in `Schema/`, in the order they apply. A new migration is a new
/// `NNNN_description.sql` file, added here and to Package.swift's resources.
/// (SwiftPM names the embedded bytes after the file, its leading digit replaced by `_`.)
public enum SchemaMigrations {
    /// Identifier (the file name without `.sql`) and SQL text of each migration.
    public static let all: [(identifier: String, sql: String)] = [
        ("0001_initial", String(decoding: PackageResources._001_initial_sql, as: UTF8.self)),
        ("0002_aal2_orbitofrontal_names", String(decoding: PackageResources._002_aal2_orbitofrontal_names_sql, as: UTF8.self)),
        ("0003_evaluation_settings_view", String(decoding: PackageResources._003_evaluation_settings_view_sql, as: UTF8.self)),
        ("0004_annotations", String(decoding: PackageResources._004_annotations_sql, as: UTF8.self)),
        ("0005_corrections", String(decoding: PackageResources._005_corrections_sql, as: UTF8.self)),
        ("0006_density_vectors", String(decoding: PackageResources._006_density_vectors_sql, as: UTF8.self)),
        ("0007_attribution_maps", String(decoding: PackageResources._007_attribution_maps_sql, as: UTF8.self)),
        ("0008_mask_grids", String(decoding: PackageResources._008_mask_grids_sql, as: UTF8.self)),
        ("0009_atlas_measurements", String(decoding: PackageResources._009_atlas_measurements_sql, as: UTF8.self)),
        ("0010_atlas_removal", String(decoding: PackageResources._010_atlas_removal_sql, as: UTF8.self)),
        ("0011_merges", String(decoding: PackageResources._011_merges_sql, as: UTF8.self)),
    ]
}
