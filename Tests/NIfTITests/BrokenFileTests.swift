import Glibc
import Foundation
import NIfTIFixtures
import Testing

@testable import NIfTI

/// Damaged, truncated and hostile files: each refused with its own message,
/// before anything large is allocated.
struct BrokenFileTests {
    /// A valid 10 x 10 x 10 float32 image.
    func validFile() -> FixtureFile {
        var file = FixtureFile()
        file.shape = [10, 10, 10]
        file.encode(float32: (0..<1000).map { Float($0) / 1000 })
        return file
    }

    @Test func truncatedPlainFile() throws {
        let bytes = Array(validFile().bytes.dropLast(100))
        #expect(throws: NIfTIError.truncated(path: "t.nii", expected: 4352, available: 4252)) {
            try NIfTIImage(fileBytes: bytes, path: "t.nii")
        }
    }

    @Test func truncatedGzipFile() throws {
        let gz = StoredGzip.member(validFile().bytes)
        let cut = Array(gz.prefix(gz.count / 2))
        let error = #expect(throws: NIfTIError.self) { try NIfTIImage(fileBytes: cut, path: "t.nii.gz") }
        guard case .truncated(_, let expected, let available)? = error else {
            Issue.record("expected truncated, got \(String(describing: error))")
            return
        }
        #expect(expected == 4352 && available < expected)
    }

    @Test func gzipMissingItsTrailer() throws {
        let gz = StoredGzip.member(validFile().bytes)
        let cut = Array(gz.dropLast(8))  // all data, but no CRC and length
        #expect(throws: NIfTIError.corruptGzip(path: "t.nii.gz", detail: "the stream ends without its gzip trailer")) {
            try NIfTIImage(fileBytes: cut, path: "t.nii.gz")
        }
    }

    @Test func corruptGzipFailsItsCRC() throws {
        var gz = StoredGzip.member(validFile().bytes)
        gz[2000] ^= 0xFF  // inside a stored block: only the CRC can tell
        #expect(throws: NIfTIError.corruptGzip(path: "c.nii.gz", detail: "incorrect data check")) {
            try NIfTIImage(fileBytes: gz, path: "c.nii.gz")
        }
    }

    @Test func headerAnnouncingMoreThanAGzipFileCanHoldIsRefusedUpFront() throws {
        var file = validFile()
        file.shape = [10000, 10000, 10000]  // 4 TB announced, 4 KB stored
        let gz = StoredGzip.member(file.bytes)
        let error = #expect(throws: NIfTIError.self) { try NIfTIImage(fileBytes: gz, path: "big.nii.gz") }
        guard case .tooLarge? = error else {
            Issue.record("expected tooLarge, got \(String(describing: error))")
            return
        }
    }

    @Test func headerAnnouncingMoreThanTheMachinesMemoryIsRefusedUpFront() throws {
        // Junk after the stream lifts the 1032:1 bound above the machine's memory.
        let memory = ProcessInfo.processInfo.physicalMemory
        var file = validFile()
        file.format = .nifti2  // 64-bit dims: a NIfTI-1 z of more than 32,767 would not fit a machine with over 131 GB
        file.shape = [1000, 1000, Int(memory / 4_000_000) + 1]  // float32: just over the memory
        let padded = StoredGzip.member(file.bytes) + [UInt8](repeating: 0, count: Int(memory) / Gzip.maximumExpansion + 1)
        let error = #expect(throws: NIfTIError.self) { try NIfTIImage(fileBytes: padded, path: "padded.nii.gz") }
        guard case .tooLarge(_, let detail)? = error else {
            Issue.record("expected tooLarge, got \(String(describing: error))")
            return
        }
        #expect(detail.contains("more than this machine's \(memory) bytes of memory"))
    }

    @Test func headerAnnouncingMoreThanAPlainFileHoldsIsTruncated() throws {
        var file = validFile()
        file.shape = [10000, 10000, 10000]
        #expect(throws: NIfTIError.truncated(path: "big.nii", expected: 4_000_000_000_352, available: 4352)) {
            try NIfTIImage(fileBytes: file.bytes, path: "big.nii")
        }
    }

    @Test func voxelCountOverflowIsRefused() throws {
        var file = validFile()
        file.format = .nifti2
        file.shape = [Int(Int32.max), Int(Int32.max), Int(Int32.max)]
        let error = #expect(throws: NIfTIError.self) { try NIfTIImage(fileBytes: file.bytes, path: "o.nii") }
        guard case .tooLarge? = error else {
            Issue.record("expected tooLarge, got \(String(describing: error))")
            return
        }
    }

    @Test func streamLongerThanTheHeaderSaysIsRefused() throws {
        let gz = StoredGzip.member(validFile().bytes + [1, 2, 3])
        #expect(throws: NIfTIError.longerThanAnnounced(path: "l.nii.gz", expected: 4352)) {
            try NIfTIImage(fileBytes: gz, path: "l.nii.gz")
        }
    }

    @Test func multiMemberGzipIsOneStream() throws {
        let bytes = validFile().bytes
        let split = StoredGzip.member(Array(bytes[..<1000])) + StoredGzip.member(Array(bytes[1000...]))
        let image = try NIfTIImage(fileBytes: split, path: "m.nii.gz")
        #expect(image.floatVoxels() == (0..<1000).map { Float($0) / 1000 })
    }

    @Test func notNIfTI() {
        let text = Array("this is a text file, not an image at all".utf8) + [UInt8](repeating: 32, count: 400)
        #expect(throws: NIfTIError.notNIfTI(path: "x.nii")) { try NIfTIImage(fileBytes: text, path: "x.nii") }
        #expect(throws: NIfTIError.tooShort(path: "s.nii", bytes: 3)) { try NIfTIImage(fileBytes: [1, 2, 3], path: "s.nii") }
    }

    @Test func badMagicAndPairs() {
        var file = validFile()
        file.magic = Array("ni1\0".utf8)
        #expect(throws: NIfTIError.headerImagePair(path: "p.hdr")) { try NIfTIImage(fileBytes: file.bytes, path: "p.hdr") }
        file.magic = Array("abc\0".utf8)
        #expect(throws: NIfTIError.badMagic(path: "m.nii", magic: "\"abc\\x0\"")) {
            try NIfTIImage(fileBytes: file.bytes, path: "m.nii")
        }
    }

    @Test(arguments: [(Int16(32), "complex64"), (128, "rgb24"), (1536, "float128"), (1792, "complex128"), (2304, "rgba32")])
    func unsupportedDatatypesAreNamed(code: Int16, name: String) throws {
        var file = validFile()
        file.datatype = code
        let error = #expect(throws: NIfTIError.self) { try NIfTIImage(fileBytes: file.bytes, path: "d.nii") }
        #expect(error?.description == "d.nii: unsupported datatype \(name) (code \(code)); maskdb reads integer and float32/float64 images")
    }

    @Test func zeroSizedDimensionIsRefused() {
        var file = validFile()
        file.shape = [10, 0, 10]
        #expect(throws: NIfTIError.badDimensions(path: "z.nii", detail: "dim[2] is 0; every size must be at least 1")) {
            try NIfTIImage(fileBytes: file.bytes, path: "z.nii")
        }
    }

    @Test func voxOffsetInsideTheHeaderIsRefused() {
        var file = validFile()
        file.voxOffset = 100
        #expect(throws: NIfTIError.badVoxelOffset(path: "v.nii", detail: "100 lies inside the 352-byte header")) {
            try NIfTIImage(fileBytes: file.bytes, path: "v.nii")
        }
    }

    @Test func missingFileSaysWhy() {
        #expect(throws: NIfTIError.unreadable(path: "/no/such/mask.nii.gz", reason: "no such file or directory")) {
            try NIfTIImage(contentsOf: "/no/such/mask.nii.gz")
        }
    }

    @Test(.timeLimit(.minutes(1))) func aFIFOIsRefusedWithoutWaitingForAWriter() throws {  // waiting on the FIFO fails it
        let scratch = try ScratchFolder(prefix: "maskdb-fifo")
        let fifo = scratch.path("mask.nii.gz")
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(throws: NIfTIError.unreadable(path: fifo, reason: "not a regular file")) { try NIfTIImage(contentsOf: fifo) }
    }

    @Test func aFileLargerThanMemoryIsRefusedBeforeItIsRead() throws {
        // A sparse file, one byte more than the machine's memory: no disk space used.
        let scratch = try ScratchFolder(prefix: "maskdb-huge")
        let path = scratch.path("huge.nii")
        let memory = Int64(sysconf(Int32(_SC_PHYS_PAGES))) * Int64(sysconf(Int32(_SC_PAGESIZE)))
        let fd = open(path, O_WRONLY | O_CREAT, 0o644)
        #expect(fd >= 0 && ftruncate(fd, off_t(memory + 1)) == 0)
        close(fd)
        #expect(throws: NIfTIError.tooLarge(path: path, detail: "the file holds \(memory + 1) bytes, more than this machine's \(memory) bytes of memory")) {
            try NIfTIImage(contentsOf: path)
        }
    }

    @Test(.timeLimit(.minutes(1))) func prefetchLeavesWhatItCannotReadForReadToReport() throws {  // waiting on the FIFO fails it
        // It returns at once for a missing file, a folder or a FIFO (no writer to wait
        // for), and changes nothing a read then finds.
        let scratch = try ScratchFolder(prefix: "maskdb-prefetch")
        let fifo = scratch.path("mask.nii.gz")
        #expect(mkfifo(fifo, 0o600) == 0)
        FileBytes.prefetch(fifo)
        FileBytes.prefetch(scratch.path("missing.nii.gz"))
        FileBytes.prefetch(scratch.path(""))
        let file = scratch.path("mask.nii")
        let bytes = validFile().bytes
        try FileBytes.write(bytes, to: file)
        FileBytes.prefetch(file)
        #expect(try FileBytes.read(file) == bytes)
        #expect(throws: NIfTIError.unreadable(path: fifo, reason: "not a regular file")) { try FileBytes.read(fifo) }
    }
}

/// Large images: a short stream is explained without keeping its bytes, and several
/// gzip members make one image.
struct LargeStreamTests {
    /// A 200 x 200 x 200 float32 image: 32 MB, the first 4 MB pseudo-random bytes
    /// (so the gzip file is about 4 MB), the rest zeros.
    func zeros(announcing shape: [Int]) -> [UInt8] {
        var file = FixtureFile()
        file.shape = shape
        file.datatype = 16
        var state: UInt32 = 12345
        let noise = (0..<4_000_000).map { _ -> UInt8 in
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8(state >> 24) & 0x3F  // exponent bits stay small: finite floats
        }
        file.data = noise + [UInt8](repeating: 0, count: 200 * 200 * 200 * 4 - noise.count)
        return file.bytes
    }

    @Test func truncatedLargeStreamReportsWhatItHolds() throws {
        // The header announces twice the voxels the stream holds.
        let gz = Gzip.deflate(zeros(announcing: [200, 200, 400]))
        #expect(throws: NIfTIError.truncated(path: "z.nii.gz", expected: 64_000_352, available: 32_000_352)) {
            try NIfTIImage(fileBytes: gz, path: "z.nii.gz")
        }
    }

    /// The 32 MB image as two gzip members, and its bytes.
    func twoMembers() -> (bytes: [UInt8], gz: [UInt8]) {
        let bytes = zeros(announcing: [200, 200, 200])
        return (bytes, Gzip.deflate(Array(bytes[..<1_000_000])) + Gzip.deflate(Array(bytes[1_000_000...])))
    }

    @Test func multiMemberLargeStreamInflatesToItsSize() throws {
        let (bytes, gz) = twoMembers()
        let image = try NIfTIImage(fileBytes: gz, path: "m.nii.gz")
        #expect(image.layout.voxelCount == 8_000_000)
        #expect(image.withRawVoxelBytes { Array($0) } == Array(bytes[352...]))
    }

    @Test(.enabled(if: LibDeflate.available != nil, "libdeflate.so.0 does not load on this machine: zlib alone inflates (zlibAloneInflatesTheSameCasesAlike still runs)"))
    func libdeflateJoinsMembersItself() throws {
        let libdeflate = try #require(LibDeflate.available)
        let (bytes, gz) = twoMembers()
        // libdeflate itself joins the members (zlib, the fallback, would hide a failure here).
        #expect(libdeflate.gunzip(gz, exactly: bytes.count) == bytes)
        #expect(libdeflate.gunzip(gz + [0, 0, 0], exactly: bytes.count) == bytes)  // trailing padding ignored
        #expect(libdeflate.gunzip(gz, exactly: bytes.count - 1) == nil)  // longer than announced
        #expect(libdeflate.gunzip(Array(gz.dropLast(8)), exactly: bytes.count) == nil)  // no trailer
    }

    @Test func zlibAloneInflatesTheSameCasesAlike() throws {
        let (bytes, gz) = twoMembers()
        // As on a machine without libdeflate: the same bytes, the same refusals.
        #expect(try Gzip.inflate(gz, exactly: bytes.count, libdeflate: nil) == bytes)
        #expect(try Gzip.inflate(gz + [0, 0, 0], exactly: bytes.count, libdeflate: nil) == bytes)
        #expect(throws: GzipFailure.longer) { try Gzip.inflate(gz, exactly: bytes.count - 1, libdeflate: nil) }
        #expect(throws: GzipFailure.truncated(produced: bytes.count, output: [])) {
            try Gzip.inflate(Array(gz.dropLast(8)), exactly: bytes.count, libdeflate: nil)
        }
        // And whichever this process uses gives what zlib gives.
        #expect(try Gzip.inflate(gz + [0, 0, 0], exactly: bytes.count) == bytes)
    }
}
