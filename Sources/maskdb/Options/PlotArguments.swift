import ArgumentParser
import Figures
import Foundation

/// `--slices axial,coronal`: the planes a mask is drawn in, in order.
struct SlicePlaneList: ExpressibleByArgument, CustomStringConvertible {
    var planes: [SlicePlane]

    /// Every plane.
    static let all = SlicePlaneList(planes: SlicePlane.allCases)

    init(planes: [SlicePlane]) {
        self.planes = planes
    }

    /// Plane names, comma-separated (spaces around them allowed).
    init?(argument: String) {
        let planes = argument.split(separator: ",", omittingEmptySubsequences: false).map {
            SlicePlane(rawValue: $0.trimmingCharacters(in: .whitespaces))
        }
        guard !planes.contains(nil) else { return nil }
        self.planes = planes.compactMap { $0 }
    }

    var description: String { planes.map(\.rawValue).joined(separator: ",") }

    var defaultValueDescription: String { description }

    /// Reads `text`, saying what to give when it names something else.
    static func parse(_ text: String) throws -> SlicePlaneList {
        guard let list = SlicePlaneList(argument: text) else { throw ValidationError("use axial, coronal and sagittal") }
        return list
    }
}

/// `--at x,y,z`: a voxel, by its indices on the mask's grid.
struct VoxelCoordinate: ExpressibleByArgument, CustomStringConvertible {
    var x: Int, y: Int, z: Int

    /// Three whole numbers of at least 0, comma-separated (spaces around them allowed).
    init?(argument: String) {
        let parts = argument.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 3, let x = parts[0], let y = parts[1], let z = parts[2], x >= 0, y >= 0, z >= 0 else { return nil }
        (self.x, self.y, self.z) = (x, y, z)
    }

    var description: String { "\(x),\(y),\(z)" }

    /// The indices as the figures take them.
    var indices: (Int, Int, Int) { (x, y, z) }

    /// Reads `text`, saying what to give when it is not a voxel.
    static func parse(_ text: String) throws -> VoxelCoordinate {
        guard let point = VoxelCoordinate(argument: text) else { throw ValidationError("give three voxel indices, x,y,z") }
        return point
    }
}
