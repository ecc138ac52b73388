import NIfTIFixtures
import Testing

@testable import NIfTI

/// Every datatype, both byte orders, both formats, plain and gzip: values must
/// come back exactly as encoded.
struct DatatypeTests {
    let scratch: ScratchFolder

    init() throws { scratch = try ScratchFolder() }

    /// Values each type can hold exactly, including its extremes.
    static func values(for code: Int16) -> (encode: (inout FixtureFile) -> Void, expected: [Double]) {
        func ints<T: FixedWidthInteger>(_: T.Type, _ code: Int16) -> ((inout FixtureFile) -> Void, [Double]) {
            let picked: [T] = [T.min, 0, 1, 2, 3, 5, 7, T.max]
            return ({ $0.encode(picked, code: code) }, picked.map { Double($0) })
        }
        switch code {
        case 2: return ints(UInt8.self, code)
        case 256: return ints(Int8.self, code)
        case 4: return ints(Int16.self, code)
        case 512: return ints(UInt16.self, code)
        case 8: return ints(Int32.self, code)
        case 768: return ints(UInt32.self, code)
        case 1024: return ints(Int64.self, code)
        case 1280: return ints(UInt64.self, code)
        case 16:
            let v: [Float] = [-1.5, 0, 0.25, 1, 3.75, -1e-3, 1e6, Float.greatestFiniteMagnitude]
            return ({ $0.encode(float32: v) }, v.map(Double.init))
        default:
            let v: [Double] = [-1.5, 0, 0.1, 1, 3.75, -1e-300, 1e300, 2.5]
            return ({ $0.encode(float64: v) }, v)
        }
    }

    @Test(arguments: [Int16(2), 256, 4, 512, 8, 768, 1024, 1280, 16, 64])
    func everyLayoutDecodesExactly(code: Int16) throws {
        let (encode, expected) = Self.values(for: code)
        for format in [FixtureFile.Format.nifti1, .nifti2] {
            for order in [FixtureFile.Order.little, .big] {
                for gzip in [false, true] {
                    var file = FixtureFile()
                    file.format = format
                    file.order = order
                    file.shape = [2, 2, 2]
                    encode(&file)
                    let path = try file.write(named: gzip ? "v.nii.gz" : "v.nii", in: scratch, gzip: gzip)
                    let image = try NIfTIImage(contentsOf: path)
                    #expect(image.layout.datatype.rawValue == Int(code))
                    #expect(image.header.format.rawValue == "\(format)")
                    #expect(image.header.byteOrder.rawValue == "\(order)")
                    #expect(image.doubleVoxels() == expected, "\(format) \(order) gzip=\(gzip)")
                    #expect(image.floatVoxels() == expected.map { Float($0) })
                }
            }
        }
    }

    @Test func statisticsLeaveNaNOut() throws {
        var file = FixtureFile()
        file.shape = [5]
        file.encode(float32: [1, .nan, 2, .nan, 6])
        let image = try NIfTIImage(fileBytes: file.bytes, path: "s.nii")
        let stats = image.statistics()
        #expect(stats.min == 1)
        #expect(stats.max == 6)
        #expect(stats.sum == 9)
        #expect(stats.mean == 3)
        #expect(stats.nanCount == 2)
    }

    @Test func allNaNHasNoMean() throws {
        var file = FixtureFile()
        file.shape = [2]
        file.encode(float32: [.nan, .nan])
        let stats = try NIfTIImage(fileBytes: file.bytes, path: "n.nii").statistics()
        #expect(stats.min == nil && stats.max == nil && stats.mean == nil)
        #expect(stats.sum == 0 && stats.nanCount == 2)
    }
}
