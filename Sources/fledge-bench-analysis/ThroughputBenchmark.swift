import CanaryAnalysis

/// Times `CanaryAnalyzer.observe` on one interval of a plan with a given number of tests, with
/// ContinuousClock, on intervals generated beforehand (generation is not timed).
struct ThroughputBenchmark: Sendable {
    /// What one measurement found.
    struct Measurement: Sendable {
        var label: String
        var tests: Int
        var intervals: Int
        /// Mean over every timed interval after the first pass, in microseconds.
        var meanMicroseconds: Double
        /// The median over passes of a pass's mean per interval, in microseconds: robust to other
        /// processes on a shared machine.
        var medianPassMicroseconds: Double
        /// The slowest pass's mean, in microseconds.
        var worstPassMicroseconds: Double
        /// The very first interval (cold exposure-requirement cache), in microseconds.
        var firstIntervalMicroseconds: Double
        /// `CanaryAnalyzer.decide` alone on the state after the last interval (building the
        /// checks and their explanations, which `observe` does every interval), in microseconds.
        var decideMicroseconds: Double
    }

    var passes: Int

    /// 49 routes with p99 only: 1 + 1 service tests and 2 per route = 100 tests.
    func hundredTests() -> Measurement {
        var configuration = AnalysisConfiguration()
        configuration.perRoute = true
        configuration.maxRoutes = 49
        configuration.latencyQuantiles = [0.99]
        return measure(label: "100 tests: 49 routes × (error rate, p99) + service", routes: 49, configuration: configuration)
    }

    /// The benchmark's 10-route configuration (default quantiles p99 and p999).
    func tenRoutesDefault() -> Measurement {
        var configuration = AnalysisConfiguration()
        configuration.perRoute = true
        return measure(label: "10 routes, default configuration", routes: 10, configuration: configuration)
    }

    private func measure(label: String, routes: Int, configuration: AnalysisConfiguration) -> Measurement {
        let scenario = Scenario(name: "timing", healthy: true, requestsPerSecond: 200, baseErrorRate: 0.01,
                                routeCount: routes, runs: 1, seed: 42)
        let model = TrafficModel(scenario: scenario)
        var rng = Xoshiro256StarStar(seed: 7)
        let baseline = model.baseline(&rng)
        let samples = (0..<Scenario.intervals).map { _ in model.interval(&rng).sample }
        let analyzer = CanaryAnalyzer(configuration: configuration)
        let clock = ContinuousClock()
        var first = Duration.zero
        var total = Duration.zero
        var worst = Duration.zero
        var passTimes: [Duration] = []
        var timed = 0
        var tests = 0
        var sink = 0
        for pass in 0..<(passes + 1) {
            var state = analyzer.start(baseline: baseline)
            tests = state.plan.tests.count
            var passTime = Duration.zero
            for (i, sample) in samples.enumerated() {
                let begin = clock.now
                let decision = analyzer.observe(sample, state: &state)
                let elapsed = begin.duration(to: clock.now)
                sink &+= decision.checks.count
                if pass == 0 && i == 0 { first = elapsed }
                passTime += elapsed
            }
            if pass > 0 {
                total += passTime
                timed += samples.count
                worst = max(worst, passTime)
                passTimes.append(passTime)
            }
        }
        // decide() alone, on the state after a full pass.
        var finalState = analyzer.start(baseline: baseline)
        for sample in samples { _ = analyzer.observe(sample, state: &finalState) }
        let decideRepeats = max(passes, 10) * 3
        let decideBegin = clock.now
        for _ in 0..<decideRepeats { sink &+= analyzer.decide(finalState, final: false).checks.count }
        let decideTotal = decideBegin.duration(to: clock.now)
        precondition(sink > 0)
        func micro(_ d: Duration) -> Double {
            Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) * 1e-12
        }
        return Measurement(label: label, tests: tests, intervals: timed,
                           meanMicroseconds: micro(total) / Double(max(timed, 1)),
                           medianPassMicroseconds: micro(passTimes.sorted()[passTimes.count / 2]) / Double(samples.count),
                           worstPassMicroseconds: micro(worst) / Double(samples.count),
                           firstIntervalMicroseconds: micro(first),
                           decideMicroseconds: micro(decideTotal) / Double(decideRepeats))
    }
}
