import Crypto

/// Hex sha256 digests, the keys of the blob store.
public enum SHA256Digest {
    /// The lowercase hex sha256 of `bytes`.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digest = SHA256.hash(data: bytes)
        var text = ""
        text.reserveCapacity(64)
        for byte in digest {
            text += String(byte >> 4, radix: 16) + String(byte & 0xF, radix: 16)
        }
        return text
    }
}
