import Analysis
import ArgumentParser

/// `--ci`, `--resamples`, `--seed`: how an analysis's intervals are computed.
struct IntervalFlags: ParsableArguments {
    @Option(name: .customLong("ci"), help: "The intervals' confidence level, in (0, 1).")
    var level: Double = IntervalOptions.defaultLevel

    @Option(help: "Bootstrap resamples for the intervals (0: none).")
    var resamples: Int = IntervalOptions.defaultResamples

    @Option(help: "The seed of the bootstrap's generator: the same seed gives the same intervals.")
    var seed: UInt64 = IntervalOptions.defaultSeed

    func validate() throws {
        guard level > 0, level < 1 else { throw ValidationError("--ci: a level between 0 and 1, e.g. 0.95 (got \(level))") }
        guard resamples >= 0, resamples <= 1_000_000 else { throw ValidationError("--resamples: 0 to 1,000,000 (got \(resamples))") }
    }

    var options: IntervalOptions { IntervalOptions(level: level, resamples: resamples, seed: seed) }
}
