// swift-tools-version: 6.1
// The magnet package: a design-space explorer for neural-network accelerators.
// Module boundaries follow docs/architecture.md: lower targets never import higher ones.

import PackageDescription

let package = Package(
    name: "magnet",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "magnet", targets: ["magnet"]),
        .library(name: "MagnetCore", targets: ["MagnetCore"]),
        .library(name: "MagnetWorkload", targets: ["MagnetWorkload"]),
        .library(name: "MagnetDesigner", targets: ["MagnetDesigner"]),
        .library(name: "MagnetMapper", targets: ["MagnetMapper"]),
        .library(name: "MagnetTuner", targets: ["MagnetTuner"]),
        .library(name: "MagnetStore", targets: ["MagnetStore"]),
        .library(name: "MagnetSweep", targets: ["MagnetSweep"]),
        .library(name: "MagnetCluster", targets: ["MagnetCluster"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        .target(
            name: "MagnetCore",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "MagnetWorkload",
            dependencies: ["MagnetCore", .product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        .target(
            name: "MagnetDesigner",
            dependencies: ["MagnetCore"],
            resources: [.copy("Technology")]
        ),
        .target(
            name: "MagnetMapper",
            dependencies: ["MagnetCore", "MagnetWorkload", "MagnetDesigner"]
        ),
        .target(
            name: "MagnetTuner",
            dependencies: ["MagnetCore"]
        ),
        .target(
            name: "MagnetStore",
            dependencies: ["MagnetCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .target(
            name: "MagnetSweep",
            dependencies: ["MagnetCore", "MagnetWorkload", "MagnetDesigner", "MagnetMapper", "MagnetTuner", "MagnetStore"]
        ),
        .systemLibrary(name: "CZeroMQ"),
        .target(
            name: "MagnetCluster",
            dependencies: ["CZeroMQ", "MagnetCore", "MagnetStore", "MagnetSweep", "MagnetTuner"]
        ),
        .executableTarget(
            name: "magnet",
            dependencies: [
                "MagnetCore", "MagnetWorkload", "MagnetDesigner", "MagnetMapper",
                "MagnetTuner", "MagnetStore", "MagnetSweep", "MagnetCluster",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .testTarget(name: "MagnetCoreTests", dependencies: ["MagnetCore"]),
        .testTarget(name: "MagnetWorkloadTests",
                    dependencies: ["MagnetWorkload", .product(name: "SwiftProtobuf", package: "swift-protobuf")]),
        .testTarget(name: "MagnetDesignerTests", dependencies: ["MagnetDesigner", "MagnetWorkload", "MagnetMapper"]),
        .testTarget(name: "MagnetMapperTests", dependencies: ["MagnetMapper"], exclude: ["Fixtures"]),
        .testTarget(name: "MagnetTunerTests", dependencies: ["MagnetTuner"]),
        .testTarget(name: "MagnetStoreTests", dependencies: ["MagnetStore", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "MagnetSweepTests", dependencies: ["MagnetSweep"]),
        .testTarget(name: "MagnetClusterTests", dependencies: ["MagnetCluster", "CZeroMQ"]),
        .testTarget(name: "MagnetCLITests", dependencies: ["magnet", "MagnetCore", "MagnetStore"]),
    ]
)
