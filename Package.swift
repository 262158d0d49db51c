// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "outdial",
    products: [
        .executable(name: "outdial", targets: ["outdial"]),
        .library(name: "OutdialKit", targets: ["OutdialKit"]),
    ],
    dependencies: [
        // YAML campaign files (JSON is valid YAML), with line and column for every node.
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0")
    ],
    targets: [
        // The system SQLite (Debian: libsqlite3-dev), wrapped by hand in OutdialKit/Store.
        .systemLibrary(
            name: "CSQLite",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .target(
            name: "OutdialKit",
            dependencies: ["CSQLite", .product(name: "Yams", package: "Yams")],
            swiftSettings: [
                .swiftLanguageMode(.v6),
                // The import and selection loops touch class state per byte and per
                // row; dynamic exclusivity checks cost them ~10%. Debug builds keep them.
                .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
            ]
        ),
        .executableTarget(
            name: "outdial",
            dependencies: ["OutdialKit"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // `make bench`'s in-memory figures (smart selections per second).
        .executableTarget(
            name: "outdial-bench",
            dependencies: ["OutdialKit"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // `make fuzz`: seeded mutational fuzzing of the parsers (docs/cli.md, "Fuzzing").
        .executableTarget(
            name: "outdial-fuzz",
            dependencies: ["OutdialKit"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // Helpers both test targets use (temporary directories).
        .target(
            name: "TestSupport",
            path: "Tests/TestSupport",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(
            name: "OutdialKitTests",
            dependencies: ["OutdialKit", "CSQLite", "TestSupport"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(
            name: "CLITests",
            // The binary under test, and the library's store to inspect the databases it leaves.
            dependencies: ["outdial", "OutdialKit", "TestSupport"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
