import Crypto

/// Hex sha256 digests, the keys of the blob store.
public enum SHA256Digest {
    /// The lowercase hex sha256 of `bytes`.
    public static func hex(_ bytes: [UInt8]) -> String {
        hex(SHA256.hash(data: bytes))
    }

    /// A digest of bytes given a piece at a time (a file read in chunks).
    public struct Incremental {
        private var hasher = SHA256()
        public init() {}
        /// Adds `bytes` to what is hashed.
        public mutating func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }
        /// The lowercase hex sha256 of everything added.
        public func hex() -> String { SHA256Digest.hex(hasher.finalize()) }
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        var text = ""
        text.reserveCapacity(64)
        for byte in digest {
            text += String(byte >> 4, radix: 16) + String(byte & 0xF, radix: 16)
        }
        return text
    }
}
