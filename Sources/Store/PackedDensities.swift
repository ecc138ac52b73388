import Foundation

/// A density vector as a store keeps it in one row, which the analyses read (one row per
/// mask instead of one per region): the regions' densities as float64 and their voxel
/// counts as int64, little-endian, in ascending label order, NaN standing for a region
/// without a density (a density is never NaN: a mask with NaN voxels is refused).
public enum PackedDensities {
    /// The densities' bytes.
    public static func pack(densities: [Double?]) -> Data {
        pack(densities.map { ($0 ?? .nan).bitPattern })
    }

    /// The voxel counts' bytes.
    public static func pack(voxels: [Int]) -> Data {
        pack(voxels.map { UInt64(bitPattern: Int64($0)) })
    }

    /// The densities `bytes` hold; nil unless they hold `count` of them.
    public static func densities(_ bytes: Data, count: Int) -> [Double?]? {
        bytes.withUnsafeBytes { densities($0, count: count) }
    }

    /// The same, of bytes in memory (a row SQLite holds).
    public static func densities(_ bytes: UnsafeRawBufferPointer, count: Int) -> [Double?]? {
        unpack(bytes, count: count) { word -> Double? in
            let value = Double(bitPattern: word)
            return value.isNaN ? nil : value
        }
    }

    /// The voxel counts `bytes` hold; nil unless they hold `count` of them.
    public static func voxels(_ bytes: Data, count: Int) -> [Int]? {
        bytes.withUnsafeBytes { voxels($0, count: count) }
    }

    /// The same, of bytes in memory.
    public static func voxels(_ bytes: UnsafeRawBufferPointer, count: Int) -> [Int]? {
        unpack(bytes, count: count) { Int(Int64(bitPattern: $0)) }
    }

    private static func pack(_ words: [UInt64]) -> Data {
        var data = Data(count: words.count * 8)
        data.withUnsafeMutableBytes { buffer in
            for (index, word) in words.enumerated() {
                buffer.storeBytes(of: word.littleEndian, toByteOffset: index * 8, as: UInt64.self)
            }
        }
        return data
    }

    private static func unpack<T>(_ bytes: UnsafeRawBufferPointer, count: Int, _ transform: (UInt64) -> T) -> [T]? {
        guard bytes.count == count * 8 else { return nil }
        return Array(unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count {
                (buffer.baseAddress! + index).initialize(to: transform(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self))))
            }
            initialized = count
        }
    }
}
