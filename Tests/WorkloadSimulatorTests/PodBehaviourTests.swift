import Testing
@testable import WorkloadSimulator

@Suite struct PodBehaviourTests {
    @Test func defaultsWithoutVariables() {
        let behaviour = PodBehaviour(environment: ["UNRELATED": "1"])
        #expect(behaviour.errorRate == 0.005)
        #expect(behaviour.latencyMilliseconds == 40)
        #expect(behaviour.slowRate == 0)
        #expect(behaviour.slowMilliseconds == 1500)
        #expect(behaviour.routes.map(\.path) == ["/api/cart", "/api/checkout", "/"])
        #expect(behaviour.routes.map(\.share) == [0.5, 0.3, 0.2])
        #expect(behaviour.problems.isEmpty)
    }

    @Test func readsEveryVariable() {
        let behaviour = PodBehaviour(environment: [
            "DEMO_ERROR_RATE": "0.2", "DEMO_LATENCY_MS": "120", "DEMO_SLOW_RATE": " 0.05 ", "DEMO_SLOW_MS": "2000",
            "DEMO_ROUTES": "/a=3, /b=1",
        ])
        #expect(behaviour.errorRate == 0.2)
        #expect(behaviour.latencyMilliseconds == 120)
        #expect(behaviour.slowRate == 0.05)
        #expect(behaviour.slowMilliseconds == 2000)
        #expect(behaviour.routes == [PodBehaviour.Route(path: "/a", share: 0.75), PodBehaviour.Route(path: "/b", share: 0.25)])
        #expect(behaviour.problems.isEmpty)
    }

    @Test(arguments: [
        ("DEMO_ERROR_RATE", "1.5"), ("DEMO_ERROR_RATE", "-0.1"), ("DEMO_ERROR_RATE", "lots"),
        ("DEMO_LATENCY_MS", "0"), ("DEMO_LATENCY_MS", "inf"), ("DEMO_SLOW_RATE", "2"), ("DEMO_SLOW_MS", "-5"),
        ("DEMO_ROUTES", "/a"), ("DEMO_ROUTES", "/a=0"), ("DEMO_ROUTES", "=1"), ("DEMO_ROUTES", "/a=1,/a=2"), ("DEMO_ROUTES", ","),
    ])
    func invalidValueFallsBackToTheDefaultWithAProblem(name: String, value: String) {
        let behaviour = PodBehaviour(environment: [name: value])
        var defaults = PodBehaviour()
        defaults.problems = behaviour.problems
        #expect(behaviour == defaults)
        #expect(behaviour.problems.count == 1)
        #expect(behaviour.problems.first?.contains(name) == true)
    }

    @Test func routeWithEqualsSignSplitsAtTheLastOne() {
        let behaviour = PodBehaviour(environment: ["DEMO_ROUTES": "/search?q=x=1"])
        #expect(behaviour.routes == [PodBehaviour.Route(path: "/search?q=x", share: 1)])
    }
}
