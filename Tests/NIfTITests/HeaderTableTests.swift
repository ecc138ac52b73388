import NIfTIFixtures
import Testing

@testable import NIfTI

/// The one table of header fields the reader and the writer share: its offsets tile
/// each header, every property is in it once, and what it writes is what the spec
/// says (checked against the fixtures, built by hand from the spec's offsets).
struct HeaderTableTests {
    @Test(arguments: [NIfTIHeader.Format.nifti1, .nifti2])
    func fieldsTileTheHeaderWithoutOverlap(format: NIfTIHeader.Format) {
        let slots = NIfTIHeader.fields.compactMap { field in field.slot(format).map { (field.name, $0) } }
            .sorted { $0.1.offset < $1.1.offset }
        var end = 0
        for (name, slot) in slots {
            #expect(slot.offset == end, "\(format) \(name) starts at \(slot.offset), the field before ends at \(end)")
            #expect(slot.count >= 1)
            end = slot.range.upperBound
        }
        let size = format == .nifti1 ? 348 : 540
        #expect(end == size)
        var header = NIfTIHeader()
        header.format = format
        #expect(header.headerSize == size)
        // The 4 extension bytes follow the header: none written.
        let bytes = header.encoded()
        #expect(bytes.count == size + 4 && bytes[size..<size + 4] == [0, 0, 0, 0])
    }

    @Test func namesAreTheSpecsAndEachPropertyIsMappedOnce() {
        let names = NIfTIHeader.fields.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(names.count == 44)  // nibabel's nifti1 header_dtd has 43 entries; nifti2 adds unused_str
        var properties: [AnyKeyPath] = []
        for field in NIfTIHeader.fields {
            switch field.value {
            case .integer(let p): properties.append(p)
            case .integers(let p): properties.append(p)
            case .real(let p): properties.append(p)
            case .reals(let p): properties.append(p)
            case .text(let p): properties.append(p)
            case .headerSize, .magic, .unused: continue
            }
            // Every property maskdb keeps exists in both formats.
            #expect(field.nifti1 != nil && field.nifti2 != nil, "\(field.name)")
        }
        #expect(Set(properties).count == properties.count)
        // All of NIfTIHeader's stored properties but format and byteOrder come from the table.
        #expect(properties.count == Mirror(reflecting: NIfTIHeader()).children.count - 2)
        // sizeof_hdr tells the format before the table is used: it must sit first in both.
        let sizeofHdr = NIfTIHeader.fields.first { $0.name == "sizeof_hdr" }
        #expect(sizeofHdr?.nifti1 == .at(0, .int32) && sizeofHdr?.nifti2 == .at(0, .int32))
    }

    @Test func eachFieldsStorageSuitsItsProperty() {
        let integers: [FieldStorage] = [.uint8, .int16, .int32, .int64]
        for field in NIfTIHeader.fields {
            for slot in [field.nifti1, field.nifti2].compactMap({ $0 }) {
                switch field.value {
                case .integer: #expect(integers.contains(slot.storage) && slot.count == 1, "\(field.name)")
                case .integers(let p): #expect(integers.contains(slot.storage) && slot.count == NIfTIHeader()[keyPath: p].count, "\(field.name)")
                case .real: #expect(slot.storage != .char && slot.count == 1, "\(field.name)")
                case .reals(let p): #expect(slot.storage != .char && slot.count == NIfTIHeader()[keyPath: p].count, "\(field.name)")
                case .text, .magic: #expect(slot.storage == .char, "\(field.name)")
                case .headerSize: #expect(slot.storage == .int32, "\(field.name)")
                case .unused: break
                }
            }
        }
    }

    /// A header with every kept field set to a value its NIfTI-1 type holds exactly.
    func everyField(_ format: NIfTIHeader.Format, _ order: NIfTIHeader.ByteOrder) -> NIfTIHeader {
        var h = NIfTIHeader()
        h.format = format
        h.byteOrder = order
        h.dim = [4, 91, 109, 91, 3, 1, 1, 1]
        h.datatypeCode = 4
        h.bitpix = 16
        h.pixdim = [-1, 2, 2.5, 2, 0.75, 1, 1, 1]
        h.voxOffset = 1024
        h.sclSlope = 0.5
        h.sclInter = -3
        h.calMax = 100
        h.calMin = -12.5
        h.xyztUnits = 10
        h.intentCode = 1002
        h.intentName = "labels"
        h.descrip = "maskdb é 日本"
        h.qformCode = 1
        h.sformCode = 4
        (h.quaternB, h.quaternC, h.quaternD) = (0, 1, 0)
        (h.qoffsetX, h.qoffsetY, h.qoffsetZ) = (90, -126, -72)
        (h.srowX, h.srowY, h.srowZ) = ([-2, 0, 0, 90], [0, 2, 0, -126], [0, 0, 2, -72])
        return h
    }

    @Test(arguments: [NIfTIHeader.Format.nifti1, .nifti2], [NIfTIHeader.ByteOrder.little, .big])
    func writtenHeaderReadsBackEqual(format: NIfTIHeader.Format, order: NIfTIHeader.ByteOrder) throws {
        var header = everyField(format, order)
        if format == .nifti2 {
            // Past NIfTI-1's types: 64-bit sizes and doubles.
            header.dim[4] = 3_000_000_000
            header.pixdim[4] = 0.1
            header.srowX[3] = 90.1
        }
        let bytes = header.encoded()
        let size = Int32(header.headerSize)
        #expect(Array(bytes[0..<4]) == withUnsafeBytes(of: order == .big ? size.bigEndian : size.littleEndian) { Array($0) })
        #expect(try NIfTIHeader(parsing: bytes, path: "h.nii") == header)
    }

    @Test(arguments: [FixtureFile.Format.nifti1, .nifti2], [FixtureFile.Order.little, .big])
    func writtenHeaderIsTheFixturesBytes(format: FixtureFile.Format, order: FixtureFile.Order) {
        var file = FixtureFile()
        (file.format, file.order) = (format, order)
        file.shape = [91, 109, 91, 3]
        (file.datatype, file.bitpix) = (4, 16)
        file.pixdim = [-1, 2, 2.5, 2, 0.75, 1, 1, 1]
        file.voxOffset = 1024
        (file.slope, file.inter) = (0.5, -3)
        (file.calMax, file.calMin) = (100, -12.5)
        file.xyztUnits = 10
        file.intentCode = 1002
        file.intentName = "labels"
        file.descrip = "maskdb é 日本"
        (file.qformCode, file.sformCode) = (1, 4)
        file.quaternion = (0, 1, 0)
        file.qoffset = (90, -126, -72)
        file.srows = [[-2, 0, 0, 90], [0, 2, 0, -126], [0, 0, 2, -72]]
        let header = everyField(format == .nifti1 ? .nifti1 : .nifti2, order == .little ? .little : .big)
        #expect(firstDifference(header.encoded(), Array(file.bytes.prefix(header.headerSize + 4)), header.format) == nil)
    }

    @Test func writerOutputIsTheFixturesBytes() {
        // FSL's 2 mm MNI grid, x flipped: qfac -1 and 180 degrees about y, so the
        // quaternion (b, c, d) is (0, 1, 0) exactly.
        let mni = Affine(rows: [[-2, 0, 0, 90], [0, 2, 0, -126], [0, 0, 2, -72]])
        let voxels: [Float] = [0.5, -1, 2, 0, 1e-3, 7]
        var file = FixtureFile()
        file.shape = [3, 2]
        file.encode(float32: voxels)
        file.pixdim = [-1, 2, 2, 2, 1, 1, 1, 1]
        file.xyztUnits = 2
        file.descrip = "maskdb"
        (file.qformCode, file.sformCode) = (2, 2)
        file.quaternion = (0, 1, 0)
        file.qoffset = (90, -126, -72)
        file.srows = mni.rows.dropLast()
        let written = NIfTIWriter.float32Bytes(voxels: voxels, shape: [3, 2], affine: mni, compressed: false)
        #expect(firstDifference(written, file.bytes, .nifti1) == nil)
        // A long description is cut to 79 bytes, leaving its NUL.
        let long = String(repeating: "d", count: 100)
        file.descrip = String(long.prefix(79))
        let cut = NIfTIWriter.float32Bytes(voxels: voxels, shape: [3, 2], affine: mni, compressed: false, description: long)
        #expect(firstDifference(cut, file.bytes, .nifti1) == nil)
    }

    /// Where two files first differ, and the field there; nil when they are equal.
    func firstDifference(_ a: [UInt8], _ b: [UInt8], _ format: NIfTIHeader.Format) -> String? {
        guard a != b else { return nil }
        guard let offset = (0..<min(a.count, b.count)).first(where: { a[$0] != b[$0] }) else {
            return "lengths \(a.count) and \(b.count)"
        }
        let field = NIfTIHeader.fields.first { $0.slot(format)?.range.contains(offset) == true }
        return "byte \(offset) (\(field?.name ?? "past the header")): \(a[offset]) against \(b[offset])"
    }
}
