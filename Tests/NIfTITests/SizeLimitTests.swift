import Foundation
import NIfTIFixtures
import Testing

@testable import NIfTI

/// The mask size limit: a header declaring more voxels than a mask may have is refused
/// before anything is inflated, and inflation never goes past what a header declares.
struct SizeLimitTests {
    /// The header of a 1300³ uint8 image of zeros (2,197,000,000 bytes) in a 2.2 MB
    /// file: big enough to pass the 1032:1 deflate bound and the machine's memory,
    /// the file that made an import exceed 9 GB.
    static func hugeMask() -> [UInt8] {
        var file = FixtureFile()
        file.shape = [1300, 1300, 1300]
        (file.datatype, file.bitpix) = (2, 8)
        let header = Array(file.bytes.prefix(352))
        return StoredGzip.member(header) + [UInt8](repeating: 0, count: 2_135_000)
    }

    static let hugeDetail = "the header declares 1300 x 1300 x 1300 = 2197000000 uint8 voxels (2197000000 bytes), more than a mask may have (33554432 voxels; MASKDB_MAX_VOXELS sets the limit); refused before decoding"

    @Test func aHeaderDeclaringMoreVoxelsThanAMaskMayHaveIsRefusedBeforeInflating() throws {
        #expect(throws: NIfTIError.tooLarge(path: "huge.nii.gz", detail: Self.hugeDetail)) {
            try NIfTIImage(fileBytes: Self.hugeMask(), path: "huge.nii.gz", maximumVoxels: MaskSizeLimit.defaultVoxels)
        }
    }

    @Test func aPlainFileOverTheLimitIsRefusedToo() throws {
        var file = FixtureFile()
        file.shape = [10, 10, 10]
        file.encode(float32: [Float](repeating: 0, count: 1000))
        #expect(throws: NIfTIError.tooLarge(
            path: "p.nii",
            detail: "the header declares 10 x 10 x 10 = 1000 float32 voxels (4000 bytes), more than a mask may have (999 voxels; MASKDB_MAX_VOXELS sets the limit); refused before decoding")
        ) {
            try NIfTIImage(fileBytes: file.bytes, path: "p.nii", maximumVoxels: 999)
        }
        #expect(try NIfTIImage(fileBytes: file.bytes, path: "p.nii", maximumVoxels: 1000).shape == [10, 10, 10])
    }

    @Test func aFileTooLargeForAnImageWithinTheLimitIsRefusedUnread() throws {
        let scratch = try ScratchFolder(prefix: "maskdb-limit")
        let path = try scratch.write([UInt8](repeating: 0, count: 2 << 20), named: "big.nii.gz")
        let limit = MaskSizeLimit.fileBytes(voxels: 1)
        #expect(limit == 8 + (1 << 20))  // 8 bytes of voxels, no deflate overhead to speak of, 1 MiB of header
        #expect(throws: NIfTIError.tooLarge(
            path: path,
            detail: "the file holds \(2 << 20) bytes, more than an image within the mask size limit can (\(limit) bytes; MASKDB_MAX_VOXELS sets the limit)")
        ) {
            try NIfTIImage(contentsOf: path, maximumVoxels: 1)
        }
    }

    /// A gzip bomb: a header declaring 2 x 2 x 2 voxels over a stream inflating to 64 MiB
    /// (64 KiB on disk). Inflation stops at the declared 360 bytes, with libdeflate and with zlib.
    @Test func aLyingHeaderOverAHugeStreamIsRefusedAtItsDeclaredSize() throws {
        var file = FixtureFile()
        file.shape = [2, 2, 2]
        (file.datatype, file.bitpix) = (2, 8)
        file.data = [UInt8](repeating: 0, count: 8)
        let bomb = Gzip.deflate(file.bytes + [UInt8](repeating: 0, count: 64 << 20), level: 9)
        #expect(bomb.count < 100_000)
        #expect(throws: NIfTIError.longerThanAnnounced(path: "bomb.nii.gz", expected: 360)) {
            try NIfTIImage(fileBytes: bomb, path: "bomb.nii.gz")
        }
        #expect(throws: GzipFailure.longer) { try Gzip.inflate(bomb, exactly: 360, libdeflate: nil) }
    }
}
