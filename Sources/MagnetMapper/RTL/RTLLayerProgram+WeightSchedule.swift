extension RTLLayerProgram {
    /// When the controller loads each pass's weights (docs/rtl.md, "The loop nest the controller
    /// runs"): a pass is one of the KT passes over K times one of the CP passes over the input
    /// channels.
    public enum WeightSchedule: String, CaseIterable, Sendable {
        /// The passes run inside each tile, each pass's weights over the last's: every tile
        /// reloads them.
        case reloadedEveryTile
        /// The passes run inside each tile, every pass's weights at their own words of the banks:
        /// the first tile loads them, the later tiles use them.
        case resident
        /// The tiles run inside each pass: a pass's weights load once, before its first tile, and
        /// every tile reloads its input for every pass. With more than one channel pass, every
        /// tile's partial sums stay in the accumulation banks from one channel pass to the next.
        case tilesInsidePasses

        /// The schedules in the order ties between them go: resident weights first, then the
        /// tiles inside the passes, then the weights reloaded by every tile.
        public static let preferenceOrder: [WeightSchedule] = [.resident, .tilesInsidePasses, .reloadedEveryTile]

        /// A table cell: "per tile", "resident", "per pass".
        public var label: String {
            switch self {
            case .reloadedEveryTile: "per tile"
            case .resident: "resident"
            case .tilesInsidePasses: "per pass"
            }
        }

        /// A phrase: "reloaded by every tile", "resident across tiles", "loaded once per pass,
        /// the tiles inside the passes".
        public var summary: String {
            switch self {
            case .reloadedEveryTile: "reloaded by every tile"
            case .resident: "resident across tiles"
            case .tilesInsidePasses: "loaded once per pass, the tiles inside the passes"
            }
        }
    }
}
