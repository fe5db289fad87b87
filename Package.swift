// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "Fledge",
    platforms: [.macOS(.v15)],  // Synchronization.Mutex
    products: [
        .library(name: "CanaryAnalysis", targets: ["CanaryAnalysis"]),
        .library(name: "CanaryAnalysisPrometheus", targets: ["CanaryAnalysisPrometheus"]),
        .library(name: "CanaryAnalysisTesting", targets: ["CanaryAnalysisTesting"]),
        .library(name: "KubeJSON", targets: ["KubeJSON"]),
        .executable(name: "kubectl-fledge", targets: ["kubectl-fledge"]),
        .executable(name: "fledge-bench-analysis", targets: ["fledge-bench-analysis"]),
        .library(name: "KubeEmulator", targets: ["KubeEmulator"]),
        .library(name: "Kube", targets: ["Kube"]),
        .library(name: "KubeRuntime", targets: ["KubeRuntime"]),
        .executable(name: "fledge-emulator", targets: ["fledge-emulator"]),
        .executable(name: "fledge-bench-kube", targets: ["fledge-bench-kube"]),
        .library(name: "KubeRuntimeTesting", targets: ["KubeRuntimeTesting"]),
        .library(name: "RolloutAPI", targets: ["RolloutAPI"]),
        .library(name: "RolloutController", targets: ["RolloutController"]),
        .library(name: "FledgeServer", targets: ["FledgeServer"]),
        .library(name: "WorkloadSimulator", targets: ["WorkloadSimulator"]),
        .executable(name: "fledge-controller", targets: ["fledge-controller"]),
        .executable(name: "fledge-workload", targets: ["fledge-workload"]),
        .executable(name: "fledge-bench-controller", targets: ["fledge-bench-controller"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // OTLP over HTTP only: the gRPC exporter would add gRPC to every build.
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // The shared canary-analysis library: samples, sequential tests, decision. No Kubernetes, no HTTP.
        .target(name: "CanaryAnalysis", swiftSettings: strict),
        // A JSON value type with merge patch and JSON patch, shared by the Kubernetes client and the emulator.
        .target(name: "KubeJSON", swiftSettings: strict),
        // Finds the vector selectors of a PromQL query and adds label matchers to every one (tenant confinement).
        .target(name: "PromQLSelectors", swiftSettings: strict),
        .testTarget(name: "PromQLSelectorsTests", dependencies: ["PromQLSelectors"], swiftSettings: strict),
        // In-memory metric provider for tests of code that depends on the analysis.
        .target(name: "CanaryAnalysisTesting", dependencies: ["CanaryAnalysis"], swiftSettings: strict),
        // The tests' condition waits: TestTimeouts, the one scale (FLEDGE_TEST_TIMEOUT_SCALE) of every wait limit, and
        // the one poll loop. No dependencies, so any test target can use it.
        .target(name: "TestSupport", swiftSettings: strict),
        // A real Prometheus for tests (Debian's binary): three test targets start one.
        .target(name: "PrometheusTesting", dependencies: ["TestSupport", .product(name: "AsyncHTTPClient", package: "async-http-client")],
                swiftSettings: strict),
        // What the benchmark executables share: the entry (arguments, exit codes, report file), monotonic time,
        // latency percentiles, process memory and CPU.
        .target(name: "BenchSupport", swiftSettings: strict),
        // MetricProvider backed by the Prometheus HTTP API.
        .target(
            name: "CanaryAnalysisPrometheus",
            dependencies: [
                "CanaryAnalysis", "PromQLSelectors",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        // The kubectl plugin's commands, as a library so tests can run them in-process.
        .target(
            name: "FledgeCLI",
            dependencies: [
                "CanaryAnalysis",
                "KubeJSON",
                "CanaryAnalysisPrometheus",
                "Kube",
                "RolloutAPI",
                .product(name: "Yams", package: "Yams"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(name: "kubectl-fledge", dependencies: ["FledgeCLI"], swiftSettings: strict),
        .executableTarget(
            name: "fledge-bench-analysis",
            dependencies: ["CanaryAnalysis", "BenchSupport"],
            swiftSettings: strict
        ),
        .testTarget(name: "CanaryAnalysisTests", dependencies: ["CanaryAnalysis", "CanaryAnalysisTesting"], swiftSettings: strict),
        .testTarget(
            name: "CanaryAnalysisPrometheusTests",
            dependencies: [
                "CanaryAnalysis", "CanaryAnalysisPrometheus", "PrometheusTesting", "TestSupport", "PromQLSelectors",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // The Kubernetes client: kubeconfig and in-cluster auth, TLS, typed requests, watch, errors.
        .target(
            name: "Kube",
            dependencies: [
                "KubeJSON",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Controller runtime: informer and store, work queue with backoff, workers, leader election.
        .target(
            name: "KubeRuntime",
            dependencies: [
                "Kube",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HeapModule", package: "swift-collections"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "KubeRuntimeTests", dependencies: [
            "KubeRuntime", "KubeRuntimeTesting", "Kube", "KubeEmulator", "TestSupport",
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        .testTarget(name: "KubeTests", dependencies: [
            "Kube", "KubeJSON", "KubeEmulator", "TestSupport", .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        // A local Kubernetes API server stand-in for tests, benchmarks and the demo.
        .target(
            name: "KubeEmulator",
            dependencies: [
                "KubeJSON",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "fledge-emulator",
            dependencies: ["KubeEmulator", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict
        ),
        .testTarget(name: "KubeEmulatorTests", dependencies: [
            "KubeEmulator", "KubeJSON", "TestSupport",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ], exclude: ["Fixtures"], swiftSettings: strict),
        // The Kubernetes client and emulator benchmark (make bench-kube).
        .executableTarget(
            name: "fledge-bench-kube",
            dependencies: [
                "Kube", "KubeJSON", "KubeEmulator", "BenchSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "KubeJSONTests", dependencies: ["KubeJSON"], swiftSettings: strict),
        // In-memory stand-ins for the runtime's seams (clock, lister-watcher, lease store), for fast unit tests.
        .target(name: "KubeRuntimeTesting", dependencies: ["KubeRuntime"], swiftSettings: strict),
        // The Rollout custom resource: Codable types, defaults, validation, one-shot actions.
        .target(name: "RolloutAPI", dependencies: ["Kube", "KubeJSON", "CanaryAnalysis", "PromQLSelectors"], swiftSettings: strict),
        .testTarget(name: "RolloutAPITests", dependencies: ["RolloutAPI", "Kube", "KubeJSON", "CanaryAnalysis", "PromQLSelectors",
                                                            .product(name: "Yams", package: "Yams")],
                    swiftSettings: strict),
        // The Rollout reconciler: observe, pure plan, apply; analysis gating; owned Deployments and Services.
        .target(
            name: "RolloutController",
            dependencies: [
                "RolloutAPI", "Kube", "KubeJSON", "KubeRuntime", "CanaryAnalysis", "CanaryAnalysisPrometheus",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "RolloutControllerTests", dependencies: [
            "RolloutController", "RolloutAPI", "Kube", "KubeJSON", "KubeRuntime", "KubeRuntimeTesting",
            "CanaryAnalysis", "CanaryAnalysisTesting", "KubeEmulator", "TestSupport",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Yams", package: "Yams"),
        ], swiftSettings: strict),
        // The controller process's plumbing: /metrics, /healthz, /readyz (Hummingbird), Prometheus metrics
        // backend, OTLP tracing, structured logs.
        .target(
            name: "FledgeServer",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "FledgeServerTests", dependencies: [
            "FledgeServer",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Tracing", package: "swift-distributed-tracing"),
        ], swiftSettings: strict),
        .executableTarget(
            name: "fledge-controller",
            dependencies: [
                "RolloutController", "RolloutAPI", "FledgeServer", "Kube", "KubeRuntime", "CanaryAnalysisPrometheus", "PromQLSelectors",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // The demo's and end-to-end tests' application: serves OpenTelemetry-shaped HTTP server metrics for the
        // Pods the emulated Deployments run.
        .target(
            name: "WorkloadSimulator",
            dependencies: [
                "Kube", "KubeJSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "WorkloadSimulatorTests", dependencies: [
            "WorkloadSimulator", "Kube", "KubeJSON", "KubeEmulator", "CanaryAnalysis", "CanaryAnalysisPrometheus", "PrometheusTesting", "TestSupport",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ], swiftSettings: strict),
        .executableTarget(
            name: "fledge-workload",
            dependencies: ["WorkloadSimulator", "Kube", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict
        ),
        // End-to-end: real kubectl, the emulator, real Prometheus, the workload simulator and the controller as processes.
        .testTarget(name: "FledgeE2ETests", dependencies: [
            "Kube", "KubeJSON", "RolloutAPI", "CanaryAnalysis", "PrometheusTesting", "TestSupport",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ], swiftSettings: strict),
        .executableTarget(
            name: "fledge-bench-controller",
            dependencies: ["RolloutController", "RolloutAPI", "Kube", "KubeRuntime", "KubeEmulator", "CanaryAnalysis",
                           "CanaryAnalysisTesting", "BenchSupport"],
            swiftSettings: strict
        ),
        .testTarget(name: "KubectlFledgeTests", dependencies: [
            "CanaryAnalysis", "FledgeCLI", "KubeJSON", "Kube", "RolloutAPI", "KubeEmulator", "TestSupport",
        ], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
