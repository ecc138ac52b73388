import Foundation
import Synchronization

/// Runs a command as a child process, for timing: wall time, exit status and the child's
/// peak resident memory. Its output is discarded; its errors go to `errors`, if given. (wait4's ru_maxrss would count the
/// memory the child shared with this process before exec; the kernel's VmHWM of the
/// child's own image, polled while it runs, does not.)
enum ChildProcess {
    struct Measurement {
        var seconds: Double
        var status: Int32
        var peakRSSBytes: Int
    }

    static func run(_ executable: String, _ arguments: [String], errors: String = "/dev/null") throws -> Measurement {
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, errors, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let start = DispatchTime.now()
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw BenchError.cannotStart(executable: executable, reason: String(cString: strerror(spawned)))
        }
        let peak = PeakMemory(pid: pid)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        let exit = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return Measurement(seconds: seconds, status: exit, peakRSSBytes: peak.stop())
    }

    /// This executable's absolute path.
    static var currentExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}

/// Polls a process's VmHWM (peak resident set) every few milliseconds until it is gone.
private final class PeakMemory: Sendable {
    /// The highest value seen, and whether to stop.
    private let state = Mutex((peak: 0, done: false))
    private let finished = DispatchSemaphore(value: 0)

    init(pid: pid_t) {
        Thread.detachNewThread { [self] in
            while !state.withLock({ $0.done }) {
                if let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                    let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
                    let kb = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
                {
                    state.withLock { $0.peak = max($0.peak, kb * 1024) }
                }
                usleep(5_000)
            }
            finished.signal()
        }
    }

    /// The highest value seen.
    func stop() -> Int {
        state.withLock { $0.done = true }
        finished.wait()
        return state.withLock { $0.peak }
    }
}
