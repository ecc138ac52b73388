import ArgumentParser
import Foundation

/// Turns any error into what the user sees: lines on stderr that start `<tool>: error: `
/// (the root command's `_errorPrefix`) and an exit status (1 for a failed command, 2 for a
/// usage error, followed by its command's usage line; 0 for `--help`).
public enum ErrorReport {
    /// Parses the command line as `root` or one of its subcommands, runs it, and exits
    /// with the status of its error, if any: what a root command's `main()` does.
    public static func main(_ root: any ParsableCommand.Type) {
        var command: any ParsableCommand
        do {
            command = try root.parseAsRoot()
        } catch {
            exit(reporting: error, root: root)
        }
        do {
            try command.run()
        } catch {
            // A usage error found while running is explained with that command's usage.
            exit(reporting: error, root: root, in: type(of: command))
        }
    }

    /// Reports `error` and exits with its status.
    public static func exit(reporting error: any Error, root: any ParsableCommand.Type, in command: (any ParsableCommand.Type)? = nil) -> Never {
        Foundation.exit(status(reporting: error, root: root, in: command))
    }

    /// Reports `error` (met while parsing for `root`, or while running `command`) and returns its exit status.
    public static func status(reporting error: any Error, root: any ParsableCommand.Type, in command: (any ParsableCommand.Type)? = nil) -> Int32 {
        switch root.exitCode(for: error) {
        case .success:  // --help, --version
            Output.print(root.fullMessage(for: error))
            return 0
        case .validationFailure:  // a usage error, explained with the usage line of the command it concerns
            if let command, command != root {
                Output.error("\(root._errorPrefix)\(root.message(for: error))\nUsage: \(root.usageString(for: command))")
            } else {
                Output.error(root.fullMessage(for: error))
            }
            return 2
        default:
            if let exit = error as? ExitCode { return exit.rawValue }
            Output.error("\(root._errorPrefix)\(describe(error))")
            return 1
        }
    }

    /// The error in one line. Foundation's file errors print as a dump of their user info:
    /// say instead which file, and the system's reason.
    public static func describe(_ error: any Error) -> String {
        guard let file = error as? CocoaError else { return String(describing: error) }
        let path = file.filePath ?? file.url?.path ?? "a file"
        let reason = (file.underlying as? POSIXError).map { String(cString: strerror($0.code.rawValue)) }
        return "\(path): \(reason?.lowercased() ?? "cannot be read or written (Foundation error \(file.code.rawValue))")"
    }
}

/// Writes command output; stdout is written once, at the end, so a failed command prints nothing there.
public enum Output {
    /// Writes `text` and a newline (unless it ends with one) to stdout.
    public static func print(_ text: String) {
        FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    /// Writes `bytes` to stdout as they are (a file asked for with `-o -`).
    public static func write(_ bytes: [UInt8]) {
        FileHandle.standardOutput.write(Data(bytes))
    }

    /// Writes `text` and a newline (unless it ends with one) to stderr.
    public static func error(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}
