import Reports
import Store

extension RecordTables {
    /// The `atlases` table: each registered atlas, its regions and grid, its files' sha256
    /// prefixes, and how many records were imported against it and have densities over it.
    public static func atlases(_ atlases: [AtlasSummary]) -> Table {
        var table = Table(columns: [
            .init("name"), .init("regions"), .init("dims"), .init("image_sha256"), .init("labels_sha256"), .init("imported"),
            .init("measured"),
        ])
        for atlas in atlases {
            table.append([
                .text(atlas.name), .integer(atlas.regions), atlas.dims.map { .text($0.map(String.init).joined(separator: "x")) } ?? .empty,
                .text(String(atlas.imageSHA256.prefix(12))), .text(String(atlas.labelsSHA256.prefix(12))), .integer(atlas.imported),
                .integer(atlas.measured),
            ])
        }
        return table
    }
}
