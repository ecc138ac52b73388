/// One labelled region of an atlas.
public struct AtlasRegion: Equatable, Hashable, Sendable {
    /// The label value in the atlas image.
    public var label: Int
    /// The region's name from the label table (e.g. `Hippocampus_L`).
    public var name: String

    /// A region.
    public init(label: Int, name: String) {
        self.label = label
        self.name = name
    }
}
