// swift-tools-version: 6.1
import PackageDescription

// The Swift runtime and Foundation linked into release executables: a release binary starts
// in half the time (no shared-library relocations) and runs on machines without Swift.
let package = Package(
    name: "maskdb",
    products: [
        .executable(name: "maskdb", targets: ["maskdb"]),
        .executable(name: "maskdb-bench", targets: ["maskdb-bench"]),
        .library(name: "NIfTI", targets: ["NIfTI"]),
        .library(name: "Atlas", targets: ["Atlas"]),
        .library(name: "Analysis", targets: ["Analysis"]),
        .library(name: "Figures", targets: ["Figures"]),
        .library(name: "Reports", targets: ["Reports"]),
        .library(name: "StudyCore", targets: ["StudyCore"]),
        .library(name: "Store", targets: ["Store"]),
        .library(name: "Import", targets: ["Import"]),
        .library(name: "SQLiteStore", targets: ["SQLiteStore"]),
        .library(name: "Study", targets: ["Study"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // glibc calls the Glibc module lacks: mallopt, sync_file_range.
        .systemLibrary(name: "CGlibcExtras"),
        // libdeflate, the fast inflater, is opened at run time when present (Sources/NIfTI/LibDeflate.swift).
        .target(name: "NIfTI", dependencies: ["CZlib"]),
        // The shipped atlases, embedded in the binary so `maskdb` works from any folder.
        .target(
            name: "Atlases",
            path: "Atlases",
            exclude: ["PROVENANCE.md"],
            resources: [
                .embedInCode("atlas-AAL2_dseg.nii.gz"),
                .embedInCode("atlas-AAL2_dseg.tsv"),
            ]
        ),
        .target(name: "Atlas", dependencies: ["NIfTI", "Atlases", "Formatting", "StudyCore"]),
        // How numbers and JSON strings read in every output.
        .target(name: "Formatting"),
        // The study's vocabulary: its fields, their values, and filters over them.
        .target(name: "StudyCore", dependencies: ["Formatting"]),
        // The analyses' hottest loop, in C for the fma and AVX2 a baseline Swift build lacks.
        .target(name: "CCompensatedDot", linkerSettings: [.linkedLibrary("m")]),
        .target(name: "Analysis", dependencies: ["StudyCore", "Formatting", "CCompensatedDot"]),
        .target(name: "Figures", dependencies: ["CZlib", "Analysis", "StudyCore", "Formatting"]),
        // The synthetic study behind `maskdb demo`.
        .target(name: "DemoStudy", dependencies: ["NIfTI", "Atlas", "StudyCore", "Analysis", "Reports"]),
        .target(name: "Reports", dependencies: ["Analysis", "StudyCore", "Formatting"]),
        // The SQL migrations, embedded in the binary; never edited once shipped.
        .target(
            name: "Schema",
            path: "Schema",
            resources: [
                .embedInCode("0001_initial.sql"), .embedInCode("0002_aal2_orbitofrontal_names.sql"),
                .embedInCode("0003_evaluation_settings_view.sql"), .embedInCode("0004_annotations.sql"),
                .embedInCode("0005_corrections.sql"), .embedInCode("0006_density_vectors.sql"),
                .embedInCode("0007_attribution_maps.sql"), .embedInCode("0008_mask_grids.sql"),
                .embedInCode("0009_atlas_measurements.sql"), .embedInCode("0010_atlas_removal.sql"),
                .embedInCode("0011_merges.sql"),
            ]
        ),
        // The store protocol and its records: what every backend answers.
        .target(
            name: "Store",
            dependencies: ["NIfTI", "Atlas", "Formatting", "StudyCore", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // Row sources (manifests) to typed, checked rows, written through the store protocol.
        .target(name: "Import", dependencies: ["NIfTI", "Atlas", "Formatting", "StudyCore", "Store"]),
        // The embedded default backend: one SQLite file.
        .target(
            name: "SQLiteStore",
            dependencies: [
                "NIfTI", "Atlas", "Schema", "CGlibcExtras", "Formatting", "StudyCore", "Store",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The study logic over any store: selections, the report, pictures and presenters.
        .target(
            name: "Study",
            dependencies: ["Store", "StudyCore", "Analysis", "Reports", "Figures", "Atlas", "NIfTI", "Formatting"]
        ),
        // What the executables share: error reporting, output, common options.
        .target(
            name: "CLISupport",
            dependencies: ["Reports", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "maskdb",
            dependencies: [
                "NIfTI", "Atlas", "Reports", "Figures", "StudyCore", "Store", "Import", "SQLiteStore", "Study", "DemoStudy",
                "CGlibcExtras", "CLISupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
            // No unsafe flags, so the libraries stay usable from other packages: a binary with
            // the Swift runtime linked in is built with `swift build -c release --static-swift-stdlib`.
        ),
        // Times the maskdb beside it as child processes.
        .executableTarget(
            name: "maskdb-bench",
            dependencies: [
                "NIfTI", "Atlas", "DemoStudy", "Analysis", "Reports", "StudyCore", "Store", "CLISupport",
                "Import", "SQLiteStore", "Study",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // NIfTI files built byte by byte from the spec, shared by the test targets.
        .target(name: "NIfTIFixtures", path: "Tests/NIfTIFixtures"),
        .testTarget(name: "NIfTITests", dependencies: ["NIfTI", "NIfTIFixtures"]),
        .testTarget(name: "AtlasTests", dependencies: ["Atlas", "NIfTI", "NIfTIFixtures"]),
        .testTarget(name: "StudyCoreTests", dependencies: ["StudyCore"]),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis", "StudyCore", "DemoStudy", "Reports", "CCompensatedDot"]),
        .testTarget(name: "FiguresTests", dependencies: ["Figures", "Analysis", "StudyCore"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Analysis", "StudyCore", "Formatting"]),
        .testTarget(
            name: "SQLiteStoreTests",
            dependencies: [
                "SQLiteStore", "Store", "Import", "StudyCore", "NIfTIFixtures", "NIfTI", "Atlas", "Schema", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            exclude: ["Snapshots"]
        ),
        .testTarget(name: "ImportTests", dependencies: ["Import", "NIfTIFixtures"]),
        .testTarget(
            name: "StudyTests",
            dependencies: [
                "Study", "Store", "StudyCore", "Import", "SQLiteStore", "Analysis", "Reports", "Figures", "Atlas", "NIfTI",
                "NIfTIFixtures", .product(name: "Crypto", package: "swift-crypto"), .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // Runs the built executables: depending on them builds them first.
        .testTarget(
            name: "maskdbTests",
            dependencies: ["maskdb", "maskdb-bench", "NIfTI", "NIfTIFixtures", "Store", "StudyCore", "Analysis", .product(name: "GRDB", package: "GRDB.swift")]
        ),
    ]
)
