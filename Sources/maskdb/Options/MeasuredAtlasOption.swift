import ArgumentParser

/// `--atlas NAME` of the analyses: the registered atlas whose densities they read.
struct MeasuredAtlasOption: ParsableArguments {
    /// A registered atlas's name; nil reads each record's densities over the atlas it was imported against.
    @Option(help: ArgumentHelp(
        "Analyse the densities over this registered atlas (maskdb atlases; computed by maskdb measure) instead of the atlas the records were imported against.",
        valueName: "name"))
    var atlas: String?
}
