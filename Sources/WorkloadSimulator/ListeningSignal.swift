import Synchronization

/// A one-shot signal carrying the address the HTTP server listens on: waiters resume once it is set, or with
/// an error if the server stopped before it listened.
final class ListeningSignal: Sendable {
    private enum State {
        case waiting([CheckedContinuation<ListenAddress, any Error>])
        case listening(ListenAddress)
        case failed(any Error)
    }

    private let state = Mutex(State.waiting([]))

    func wait() async throws -> ListenAddress {
        try await withCheckedThrowingContinuation { continuation in
            let immediate: Result<ListenAddress, any Error>? = state.withLock { state in
                switch state {
                case .waiting(var waiters):
                    waiters.append(continuation)
                    state = .waiting(waiters)
                    return nil
                case .listening(let address): return .success(address)
                case .failed(let error): return .failure(error)
                }
            }
            if let immediate { continuation.resume(with: immediate) }
        }
    }

    /// Sets the outcome once; later calls do nothing.
    func resolve(_ result: Result<ListenAddress, any Error>) {
        let waiters: [CheckedContinuation<ListenAddress, any Error>] = state.withLock { state in
            guard case .waiting(let waiters) = state else { return [] }
            switch result {
            case .success(let address): state = .listening(address)
            case .failure(let error): state = .failed(error)
            }
            return waiters
        }
        for waiter in waiters { waiter.resume(with: result) }
    }
}

/// The server stopped before it was listening.
public struct WorkloadSimulatorNotListening: Error, CustomStringConvertible {
    public var description: String
}
