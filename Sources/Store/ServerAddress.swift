/// A database named by a server's URL (`postgresql://user:password@host:port/dbname`)
/// rather than a file, and how it is shown: never with its password.
public enum ServerAddress {
    /// True when `location` is a PostgreSQL URL (`postgresql://` or `postgres://`).
    public static func isServer(_ location: String) -> Bool {
        let lowered = location.lowercased()
        return lowered.hasPrefix("postgresql://") || lowered.hasPrefix("postgres://")
    }

    /// `location` with the password of its user part (`user:password@`) and of a
    /// `password=` query parameter replaced by `***`, for every message and log.
    public static func redacted(_ location: String) -> String {
        guard let scheme = location.range(of: "://") else { return location }
        var text = location
        // The user part ends at the last '@' before the path: a password may hold '@' unencoded.
        let authorityEnd = text[scheme.upperBound...].firstIndex(where: { $0 == "/" || $0 == "?" }) ?? text.endIndex
        if let at = text[scheme.upperBound..<authorityEnd].lastIndex(of: "@"),
            let colon = text[scheme.upperBound..<at].firstIndex(of: ":")
        {
            text.replaceSubrange(text.index(after: colon)..<at, with: "***")
        }
        if let query = text.firstIndex(of: "?") {
            let parameters = text[text.index(after: query)...].split(separator: "&", omittingEmptySubsequences: false).map { parameter in
                parameter.lowercased().hasPrefix("password=") ? "password=***" : String(parameter)
            }
            text = String(text[...query]) + parameters.joined(separator: "&")
        }
        return text
    }
}
