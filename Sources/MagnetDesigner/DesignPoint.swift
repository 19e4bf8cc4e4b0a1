import MagnetCore

/// One point of the MAGNet accelerator template: every design-time parameter.
///
/// Inner to outer: `vectorSize`-wide vector MACs (spatial over input channels C), `lanes` vector
/// MACs per PE (spatial over output channels K), weight / accumulation / input collectors (small
/// register files), per-PE weight, input and accumulation buffers, `numPEs` PEs in a
/// `peRows × peColumns` array, a global buffer, and DRAM. Sizes are in bytes.
public struct DesignPoint: Hashable, Sendable {
    /// A name for reports.
    public var name: String
    /// Number of processing elements.
    public var numPEs: Int
    /// Rows of the PE array (`peRows × peColumns == numPEs`).
    public var peRows: Int
    /// Columns of the PE array.
    public var peColumns: Int
    /// Vector MAC units per PE.
    public var lanes: Int
    /// Multipliers per vector MAC (the dot-product width).
    public var vectorSize: Int
    /// Weight vectors each lane's weight collector holds.
    public var weightCollectorDepth: Int
    /// Partial sums each lane's accumulation collector holds.
    public var accumulationCollectorDepth: Int
    /// Input vectors the PE's input collector holds (0: no input collector).
    public var inputCollectorDepth: Int
    /// Weight buffer per PE (bytes).
    public var weightBufferBytes: Int
    /// Input buffer per PE (bytes).
    public var inputBufferBytes: Int
    /// Accumulation buffer per PE (bytes).
    public var accumulationBufferBytes: Int
    /// Global buffer shared by all PEs (bytes).
    public var globalBufferBytes: Int
    /// DRAM bandwidth (GB/s, 10⁹ bytes per second). With a ``dram`` type, at most its
    /// ``dramChannels`` channels' peak (a design file without it gets that peak).
    public var dramBandwidthGBps: Double
    /// The kind of DRAM, which prices its accesses; `nil` uses the technology table's energy.
    public var dram: DRAMType?
    /// Channels of the ``dram`` type (1 when it is named without them; `nil` without a type).
    public var dramChannels: Int?
    /// Weight data format (of the layers no ``layerFormats`` rule sets another).
    public var weightFormat: DataFormat
    /// Activation (input and output) data format (of the layers no ``layerFormats`` rule sets
    /// another).
    public var activationFormat: DataFormat
    /// Formats of the layers whose names match a rule's pattern (the first matching rule
    /// applies); the datapath is built for the widest (``datapathFormats``).
    public var layerFormats: [LayerFormatRule]
    /// Width of partial sums in the accumulation path (bits).
    public var accumulationBits: Int
    /// Dataflow.
    public var dataflow: Dataflow
    /// Clock frequency (GHz).
    public var clockGHz: Double
    /// Technology node (a bundled node name such as `16nm`, or a path to a table file).
    public var technology: String
    /// DRAM energy override (pJ per bit); `nil` uses the technology table's.
    public var dramEnergyPJPerBit: Double?
    /// Supply voltage (V); `nil` runs at the technology table's nominal supply. Dynamic energy
    /// scales with its square, leakage linearly (``Technology/atVoltage(_:)``).
    public var voltageV: Double?

    /// Creates a design point; ``validate()`` says whether it is possible.
    public init(name: String = "design", numPEs: Int, peRows: Int? = nil, peColumns: Int? = nil,
                lanes: Int, vectorSize: Int, weightCollectorDepth: Int = 1, accumulationCollectorDepth: Int = 1,
                inputCollectorDepth: Int = 1, weightBufferBytes: Int, inputBufferBytes: Int,
                accumulationBufferBytes: Int, globalBufferBytes: Int, dramBandwidthGBps: Double,
                weightFormat: DataFormat = .int8, activationFormat: DataFormat = .int8, accumulationBits: Int = 24,
                dataflow: Dataflow = .weightStationary, clockGHz: Double = 1, technology: String = "16nm",
                dramEnergyPJPerBit: Double? = nil, dram: DRAMType? = nil, dramChannels: Int? = nil,
                voltageV: Double? = nil, layerFormats: [LayerFormatRule] = []) {
        let shape = DesignPoint.defaultArrayShape(numPEs: numPEs, rows: peRows, columns: peColumns)
        self.name = name
        self.numPEs = numPEs
        self.peRows = shape.rows
        self.peColumns = shape.columns
        self.lanes = lanes
        self.vectorSize = vectorSize
        self.weightCollectorDepth = weightCollectorDepth
        self.accumulationCollectorDepth = accumulationCollectorDepth
        self.inputCollectorDepth = inputCollectorDepth
        self.weightBufferBytes = weightBufferBytes
        self.inputBufferBytes = inputBufferBytes
        self.accumulationBufferBytes = accumulationBufferBytes
        self.globalBufferBytes = globalBufferBytes
        self.dramBandwidthGBps = dramBandwidthGBps
        self.weightFormat = weightFormat
        self.activationFormat = activationFormat
        self.layerFormats = layerFormats
        self.accumulationBits = accumulationBits
        self.dataflow = dataflow
        self.clockGHz = clockGHz
        self.technology = technology
        self.dramEnergyPJPerBit = dramEnergyPJPerBit
        self.dram = dram
        self.dramChannels = dramChannels ?? (dram == nil ? nil : 1)
        self.voltageV = voltageV
    }

    /// The array shape: the given rows/columns, or else the most nearly square factorization
    /// of `numPEs` with rows ≤ columns.
    static func defaultArrayShape(numPEs: Int, rows: Int?, columns: Int?) -> (rows: Int, columns: Int) {
        switch (rows, columns) {
        case let (r?, c?): return (r, c)
        case let (r?, nil): return (r, r > 0 && numPEs % r == 0 ? numPEs / r : 0)
        case let (nil, c?): return (c > 0 && numPEs % c == 0 ? numPEs / c : 0, c)
        case (nil, nil):
            guard numPEs > 0 else { return (0, 0) }
            var rows = 1
            var candidate = 1
            while candidate * candidate <= numPEs {
                if numPEs % candidate == 0 { rows = candidate }
                candidate += 1
            }
            return (rows, numPEs / rows)
        }
    }

    /// MAC units in the whole array: `numPEs · lanes · vectorSize`.
    public var macCount: Int { numPEs * lanes * vectorSize }

    /// Peak throughput in tera-operations per second (one MAC = 2 operations).
    public var peakTOPS: Double { Double(macCount) * 2 * clockGHz / 1000 }

    /// Width of the exact product of a weight and an activation in the datapath's formats (bits).
    public var productBits: Int {
        let formats = datapathFormats
        return DataFormat.productBits(formats.weights, formats.inputs)
    }
}
