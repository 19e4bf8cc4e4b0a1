import MagnetDesigner
import MagnetWorkload

/// A Timeloop model input brought into magnet's types: the architecture as ``Hardware`` (with
/// the energies of its ERT and areas of its ART), the problem, and the mapping.
public struct TimeloopCase: Sendable {
    /// The architecture, storage levels inner to outer (dummy levels included).
    public var hardware: Hardware
    /// The workload.
    public var problem: Problem
    /// The mapping, one entry per storage level of ``hardware``.
    public var mapping: Mapping
    /// Per storage level: whether it is a dummy level that only carries spatial fan-out.
    public var isDummy: [Bool]
}
