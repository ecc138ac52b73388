import Foundation

/// Runs the built executables (`maskdb`, `maskdb-bench`), as a user would from a shell.
enum CLI {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        /// Standard output as written.
        var bytes: Data
    }

    /// The folder SwiftPM builds products into (the test bundle's folder on Linux).
    static var productsDirectory: URL {
        #if os(macOS)
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            return bundle.bundleURL.deletingLastPathComponent()
        }
        fatalError("couldn't find the products directory")
        #else
        return Bundle.main.bundleURL
        #endif
    }

    static func run(_ arguments: String...) throws -> Result {
        try run(arguments)
    }

    /// Runs it with `environment` added to this process's.
    static func run(environment: [String: String], _ arguments: String...) throws -> Result {
        try run(arguments, environment: environment)
    }

    /// Runs `tool` (maskdb, or maskdb-bench) with `environment` added to this process's,
    /// `input` on its standard input and `folder` as its current folder.
    static func run(
        tool: String = "maskdb", _ arguments: [String], environment: [String: String] = [:], input: Data? = nil, folder: URL? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = productsDirectory.appendingPathComponent(tool)
        process.arguments = arguments
        if let folder { process.currentDirectoryURL = folder }
        let inputPipe = Pipe()
        if input != nil { process.standardInput = inputPipe }
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        if let input {
            inputPipe.fileHandleForWriting.write(input)
            try inputPipe.fileHandleForWriting.close()
        }
        // Read before waiting, so a large output cannot fill the pipe and block the child.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self), bytes: stdout)
    }
}
