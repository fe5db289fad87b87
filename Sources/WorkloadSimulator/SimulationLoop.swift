import Logging
import ServiceLifecycle

/// The simulator's background work, as a ServiceLifecycle `Service`: lists the pods every poll interval and
/// advances the counters every tick, until graceful shutdown.
public struct SimulationLoop: Service {
    let state: SimulationState
    let source: PodSource
    let pollInterval: Duration
    let tickInterval: Duration
    let logger: Logger

    public init(state: SimulationState, source: PodSource, pollInterval: Duration, tickInterval: Duration, logger: Logger) {
        self.state = state
        self.source = source
        self.pollInterval = pollInterval
        self.tickInterval = tickInterval
        self.logger = logger
    }

    public func run() async throws {
        state.advance(to: .now)
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await poll() }
                group.addTask { await tick() }
            }
        }
    }

    /// Lists the pods until cancelled. A failed list keeps the previous pods (a blip of the API server does not
    /// end the simulated processes); the first failure is a warning, repeats are debug, recovery is info.
    func poll() async {
        var failing = false
        while !Task.isCancelled {
            do {
                let pods = try await source.pods()
                state.update(pods: pods, at: .now)
                if failing {
                    logger.info("listing pods works again", metadata: ["pods": "\(pods.count)"])
                    failing = false
                }
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                logger.log(level: failing ? .debug : .warning, "listing pods failed; keeping the last known pods",
                           metadata: ["error": "\(error)"])
                failing = true
            }
            try? await Task.sleep(for: pollInterval)
        }
    }

    /// Advances the counters every tick until cancelled.
    func tick() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: tickInterval)
            state.advance(to: .now)
        }
    }
}
