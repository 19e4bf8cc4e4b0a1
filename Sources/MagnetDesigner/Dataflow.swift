/// Which operand stays put where: the loop-order constraints at the collector and PE-buffer
/// levels of the template (docs/template.md explains each with its loop nest).
public enum Dataflow: String, CaseIterable, Sendable, Codable {
    /// Weight-stationary: a weight tile stays in the PE while inputs stream past it; partial sums
    /// leave the PE after each weight tile.
    case weightStationary = "WS"
    /// Output-stationary: partial sums stay in the accumulation buffer until the whole reduction
    /// (C, R, S) is done; weights and inputs stream.
    case outputStationary = "OS"
    /// Input-stationary: an input tile stays in the PE while weights stream past it.
    case inputStationary = "IS"
    /// Weights stationary in the PE buffer, with a few partial sums held locally in the
    /// accumulation collector (local output stationarity).
    case weightStationaryLocalOutputStationary = "WS-LOS"
    /// Outputs stationary in the accumulation buffer across the reduction; each lane's weights
    /// latched in the weight collector and reused across several output pixels (local weight
    /// stationarity). The MAGNet paper's most energy-efficient dataflow.
    case outputStationaryLocalWeightStationary = "OS-LWS"

    /// One line on what the dataflow keeps stationary.
    public var summary: String {
        switch self {
        case .weightStationary: return "weights stay in the PE weight buffer; inputs stream; partial sums leave per weight tile"
        case .outputStationary: return "partial sums stay in the accumulation buffer through the whole reduction"
        case .inputStationary: return "inputs stay in the PE input buffer; weights stream"
        case .weightStationaryLocalOutputStationary: return "weights in the PE buffer, a few partial sums held in the accumulation collector"
        case .outputStationaryLocalWeightStationary: return "outputs in the accumulation buffer, each lane's weights latched in the collector across output pixels"
        }
    }
}
