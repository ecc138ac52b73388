import ArgumentParser
import Foundation

/// Turns any error into what the user sees: one line on stderr and an exit status
/// (1 for a failed command, 2 for a usage error, 0 for `--help`).
enum ErrorReport {
    static func exit(reporting error: any Error, in command: any ParsableCommand.Type = MaskDB.self) -> Never {
        Foundation.exit(status(reporting: error, in: command))
    }

    static func status(reporting error: any Error, in command: any ParsableCommand.Type = MaskDB.self) -> Int32 {
        let code = MaskDB.exitCode(for: error)
        switch code {
        case .success:  // --help, --version
            Output.print(MaskDB.fullMessage(for: error))
            return 0
        case .validationFailure:  // a usage error, explained with the usage line of the command it concerns
            Output.error(command == MaskDB.self
                ? MaskDB.fullMessage(for: error)
                : "Error: \(MaskDB.message(for: error))\nUsage: \(MaskDB.usageString(for: command))")
            return 2
        default:
            if let exit = error as? ExitCode { return exit.rawValue }
            Output.error("maskdb: error: \(describe(error))")
            return 1
        }
    }

    /// The error in one line. Foundation's file errors print as a dump of their user info:
    /// say instead which file, and the system's reason.
    static func describe(_ error: any Error) -> String {
        guard let file = error as? CocoaError else { return String(describing: error) }
        let path = file.filePath ?? file.url?.path ?? "a file"
        let reason = (file.underlying as? POSIXError).map { String(cString: strerror($0.code.rawValue)) }
        return "\(path): \(reason?.lowercased() ?? "cannot be read or written (Foundation error \(file.code.rawValue))")"
    }
}

/// Writes command output; stdout is written once, at the end, so a failed command prints nothing there.
enum Output {
    static func print(_ text: String) {
        FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}
