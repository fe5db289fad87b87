import Foundation
import Synchronization

/// Where log handlers write finished lines (each ends with a newline). Injectable so tests read exact output.
public struct LogSink: Sendable {
    private let writeLine: @Sendable (String) -> Void

    /// Creates a sink from a closure that receives one complete line at a time.
    public init(_ writeLine: @escaping @Sendable (String) -> Void) {
        self.writeLine = writeLine
    }

    /// Writes one complete line.
    public func write(_ line: String) {
        writeLine(line)
    }

    /// The process's standard error, one `write(2)` per line under a process-wide lock.
    public static let standardError = LogSink { line in
        outputLock.withLock { _ in FileHandle.standardError.write(Data(line.utf8)) }
    }

    /// The process's standard output, one `write(2)` per line under a process-wide lock.
    public static let standardOutput = LogSink { line in
        outputLock.withLock { _ in FileHandle.standardOutput.write(Data(line.utf8)) }
    }

    private static let outputLock = Mutex(())
}
