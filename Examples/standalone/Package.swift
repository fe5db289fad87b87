// swift-tools-version: 6.1
// A separate Swift package that uses Fledge's analysis library on its own: `import CanaryAnalysis`.
// `make test` builds and runs it (hack/check-standalone.sh).
import PackageDescription

let package = Package(
    name: "standalone",
    dependencies: [.package(name: "Fledge", path: "../..")],
    targets: [
        .executableTarget(name: "standalone", dependencies: [.product(name: "CanaryAnalysis", package: "Fledge")]),
    ]
)
