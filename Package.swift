// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "maskdb",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "maskdb", targets: ["maskdb"]),
        .library(name: "NIfTI", targets: ["NIfTI"]),
        .library(name: "Atlas", targets: ["Atlas"]),
        .library(name: "Reports", targets: ["Reports"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
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
        .target(name: "Atlas", dependencies: ["NIfTI", "Atlases"]),
        .target(name: "Reports"),
        .executableTarget(
            name: "maskdb",
            dependencies: [
                "NIfTI", "Atlas", "Reports",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // NIfTI files built byte by byte from the spec, shared by the test targets.
        .target(name: "NIfTIFixtures", path: "Tests/NIfTIFixtures"),
        .testTarget(name: "NIfTITests", dependencies: ["NIfTI", "NIfTIFixtures"]),
        .testTarget(name: "AtlasTests", dependencies: ["Atlas", "NIfTI", "NIfTIFixtures"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports"]),
        .testTarget(name: "maskdbTests", dependencies: ["maskdb", "NIfTIFixtures"]),
    ]
)
