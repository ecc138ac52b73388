import ArgumentParser
import Foundation

/// The range `--jobs` takes. Each job holds files in memory (its own and up to two waiting to
/// be stored), and on a machine's cores more jobs than four per core add memory, not speed.
public enum JobsLimit {
    /// Throws a usage error unless `jobs` is from 1 to 4 per core of `cores`.
    public static func check(_ jobs: Int, cores: Int = ProcessInfo.processInfo.activeProcessorCount) throws {
        if jobs < 1 { throw ValidationError("'--jobs \(jobs)': give at least 1") }
        let most = 4 * max(1, cores)
        if jobs > most {
            throw ValidationError(
                "'--jobs \(jobs)': this machine has \(cores) core\(cores == 1 ? "" : "s"); give at most \(most) (more jobs hold more files in memory without going faster)")
        }
    }
}
