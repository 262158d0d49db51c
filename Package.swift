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
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
        // Provider requests (Retell, Vapi, generic HTTP): timeouts per request, and a
        // delegate that says whether the request left, which at-most-once needs.
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.20.0"),
        // AsyncHTTPClient's own base, which polls use directly (pipelined, docs/performance.md); and the stub providers the tests and the bench start on 127.0.0.1.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.60.0"),
        // TLS for the pipelined polls (AsyncHTTPClient's own TLS, under it already).
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.20.0"),
        // `outdial serve`: the webhook receiver, its HMAC signatures, and its structured logs.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
    ],
    targets: [
        // The system SQLite (Debian: libsqlite3-dev), wrapped by hand in OutdialKit/Store.
        .systemLibrary(
            name: "CSQLite",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .target(
            name: "OutdialKit",
            dependencies: [
                "CSQLite", .product(name: "Yams", package: "Yams"), .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"), .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "outdial",
            dependencies: ["OutdialKit", .product(name: "Logging", package: "swift-log")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // `make bench`'s in-memory figures (smart selections per second).
        .executableTarget(
            name: "outdial-bench",
            dependencies: ["OutdialKit"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // `make bench`'s stub provider on 127.0.0.1 (a Retell-shaped API, calls end after a second).
        .executableTarget(
            name: "outdial-stub",
            dependencies: ["TestSupport"],
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
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Tests/TestSupport",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(
            name: "OutdialKitTests",
            dependencies: [
                "OutdialKit", "CSQLite", "TestSupport", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            // Provider lists the tests read by path.
            exclude: ["Fixtures"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(
            name: "CLITests",
            // The binary under test, and the library's store to inspect the databases it leaves.
            dependencies: ["outdial", "OutdialKit", "TestSupport", .product(name: "AsyncHTTPClient", package: "async-http-client")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
