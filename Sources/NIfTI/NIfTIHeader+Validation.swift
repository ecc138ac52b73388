/// Where the voxels are and how many bytes they take, from a validated header.
public struct VoxelLayout: Equatable, Sendable {
    /// The voxel datatype.
    public var datatype: NIfTIDataType
    /// The number of voxels: the product of the shape.
    public var voxelCount: Int
    /// Byte offset of the first voxel in the (inflated) file.
    public var dataOffset: Int
    /// Bytes of voxel data.
    public var dataBytes: Int
    /// `dataOffset + dataBytes`: what the (inflated) file must hold at least.
    public var requiredBytes: Int { dataOffset + dataBytes }
}

extension NIfTIHeader {
    /// Checks everything needed before allocating for the voxels, and returns their layout.
    /// Each check is small and named, and throws a message that names the file.
    public func validatedLayout(path: String) throws(NIfTIError) -> VoxelLayout {
        try checkDimensions(path: path)
        let datatype = try checkDatatype(path: path)
        let offset = try checkVoxelOffset(path: path)
        try checkScaling(path: path)
        let (count, bytes) = try checkSize(datatype: datatype, offset: offset, path: path)
        return VoxelLayout(datatype: datatype, voxelCount: count, dataOffset: offset, dataBytes: bytes)
    }

    private func checkDimensions(path: String) throws(NIfTIError) {
        guard (1...7).contains(dim[0]) else {
            throw .badDimensions(path: path, detail: "dim[0] is \(dim[0]), not 1 to 7")
        }
        if let bad = (1...dim[0]).first(where: { dim[$0] < 1 }) {
            throw .badDimensions(path: path, detail: "dim[\(bad)] is \(dim[bad]); every size must be at least 1")
        }
    }

    private func checkDatatype(path: String) throws(NIfTIError) -> NIfTIDataType {
        guard let datatype else {
            throw .unsupportedDatatype(path: path, name: NIfTIDataType.specName(code: datatypeCode), code: datatypeCode)
        }
        return datatype
    }

    /// nibabel reads a `vox_offset` of 0 as "right after the header"; anything else
    /// must lie past the header and its 4 extension bytes.
    private func checkVoxelOffset(path: String) throws(NIfTIError) -> Int {
        let minimum = headerSize + 4
        guard voxOffset.isFinite, voxOffset >= 0, voxOffset == voxOffset.rounded(), voxOffset < 1e15 else {
            throw .badVoxelOffset(path: path, detail: "\(voxOffset) is not a whole number of bytes")
        }
        if voxOffset == 0 { return minimum }
        guard Int(voxOffset) >= minimum else {
            throw .badVoxelOffset(path: path, detail: "\(Int(voxOffset)) lies inside the \(minimum)-byte header")
        }
        return Int(voxOffset)
    }

    /// nibabel: a slope of 0 or non-finite means no scaling; a valid slope with a
    /// non-finite intercept is an error.
    private func checkScaling(path: String) throws(NIfTIError) {
        if scaling != nil && !sclInter.isFinite {
            throw .badScaling(path: path, detail: "scl_slope is \(sclSlope) but scl_inter is \(sclInter)")
        }
    }

    private func checkSize(datatype: NIfTIDataType, offset: Int, path: String) throws(NIfTIError) -> (Int, Int) {
        var count = 1
        for size in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow else {
                throw .tooLarge(path: path, detail: "the header announces \(shape.map(String.init).joined(separator: " x ")) voxels, more than can be addressed")
            }
            count = product
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: datatype.size)
        guard !overflow, !bytes.addingReportingOverflow(offset).overflow else {
            throw .tooLarge(path: path, detail: "the header announces \(count) voxels of \(datatype.name), more than can be addressed")
        }
        return (count, bytes)
    }

    /// The (slope, intercept) to apply, or nil when values are stored unscaled.
    public var scaling: (slope: Double, intercept: Double)? {
        guard sclSlope != 0, sclSlope.isFinite else { return nil }
        if sclSlope == 1 && sclInter == 0 { return nil }
        return (sclSlope, sclInter)
    }
}
