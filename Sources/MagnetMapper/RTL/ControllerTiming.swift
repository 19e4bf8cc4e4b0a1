/// The controller's cycles for one layer, state by state (docs/rtl.md, "Cycles"): the durations
/// of the states `magnet_controller` passes through, each known from the program's registers,
/// with the two waits that couple them — a compute phase may not start while the read-out engine
/// reads the accumulation bank it drains into, and a read-out may not start while the last one
/// runs. Exact: every simulation checks it against the hardware's `cycles` register.
///
/// One tile after another costs the same once the read-out engine's lead on the sequencer repeats,
/// so a run of identical tiles is counted in one step from there (a layer's whole map space is
/// timed in milliseconds).
struct ControllerTiming {
    /// Input vectors of a tile (W).
    var inputWords: Int
    /// Output pixels each PE computes per tile (n).
    var pixels: Int
    /// Tiles per pass (bands × column tiles).
    var tiles: Int
    /// PEs the read-out visits, one pixel of each per cycle.
    var pes: Int
    /// Weight words loaded per channel pass (Wₜ = groups · lanes · R·S·CT').
    var weights: Int
    /// Reduction steps per pixel and channel pass.
    var steps: Int
    /// Passes over K and over the input channels.
    var kPasses: Int, channelPasses: Int
    /// When the weights load.
    var schedule: RTLLayerProgram.WeightSchedule
    /// Which buffers alternate between their banks: a tile's input goes into the PEs' other input
    /// bank while the PEs compute (`inputs`); compute drains into one accumulation bank while the
    /// other is read out (`readOuts`); with the tiles inside the passes, the next pass's weights
    /// load into the weight buffers' other bank while this pass's tiles compute (`weights`); with
    /// the tiles inside several channel passes, the tiles' kept partial sums alternate between the
    /// accumulation banks, so that a pass's later tiles compute while the tile before is read out
    /// (a pass's first tile still waits for the read-out) (`heldSums`).
    var banks: BankAlternation

    /// A compute phase: one step per cycle for each of the n pixels (a bubble between pixels of a
    /// single step), 4 to empty the pipeline, and the 3 cycles of the last drain's write-back
    /// (the sequencer's FLUSH state, whose last cycle starts a read-out).
    var phase: Int { issuing + 4 + 3 }

    /// The cycles a compute phase issues its steps in: one per cycle for each of the n pixels, a
    /// bubble between pixels of a single step.
    var issuing: Int { pixels * steps + (steps == 1 ? pixels - 1 : 0) }

    /// Cycles from the cycle a read-out starts until the read-out engine is idle: one PE pixel
    /// per cycle, the last written to DRAM a cycle later.
    var readOut: Int { pes * pixels + 2 }

    /// The sequencer's place in time: `now` is the first cycle of the next state; the read-out
    /// engine is busy before `readOutIdle`; `window` counts the cycles the global buffer's
    /// loader had for the next tile's input; `weightsAhead` words of the next pass's weights are
    /// still to load into the other weight bank, the last issued in the cycle before
    /// `weightsAheadEnd`.
    struct Clock: Equatable {
        var now = 0
        var readOutIdle = 0
        var window = 0
        var weightsAhead = 0
        var weightsAheadEnd = 0

        /// What repeats from tile to tile: the read-out engine's lead, the loader's window and
        /// the weights still to load ahead (the cycle of their last issue matters only to the
        /// tile that issues it).
        var relative: Clock {
            Clock(now: 0, readOutIdle: max(readOutIdle - now, 0), window: window, weightsAhead: weightsAhead)
        }

        /// The next pass's weights loading ahead in the free cycles of the DRAM read port from
        /// `free` up to `now` (the cycles before `free` the global buffer's loader takes).
        mutating func loadAhead(from free: Int) {
            let issued = min(weightsAhead, max(now - free, 0))
            guard issued > 0 else { return }
            weightsAhead -= issued
            weightsAheadEnd = free + issued
        }

        /// A state of `cycles` cycles (at least one), ending no earlier than the cycle
        /// `notBefore` (when it waits for something).
        mutating func run(_ cycles: Int, notBefore: Int = 0) -> Int {
            let last = max(now + cycles - 1, notBefore)
            let spent = last - now + 1
            now = last + 1
            return spent
        }
    }

    /// Loading a tile's input into the global buffer: the first tile's all of it; a later one's
    /// what the loader could not fetch in its window — `k + 2` for k words left, 2 when the last
    /// word lands as the load begins, else 1.
    func load(_ clock: Clock, first: Bool) -> Int {
        if first { return inputWords + 2 }
        let left = inputWords - clock.window
        return left > 0 ? left + 2 : (left == 0 ? 2 : 1)
    }

    /// Preparing a tile: its input into the PEs (copied from the global buffer, or already there
    /// with alternating banks) while `weights` words of weights load.
    func prepare(weights: Int) -> Int {
        banks.inputs ? (weights > 0 ? weights + 2 : 1) : max(inputWords, weights) + 2
    }

    /// A compute phase and its FLUSH; with `readingOut`, the FLUSH waits for the read-out engine
    /// and starts the next read-out. The cycles count towards the loader's window.
    func compute(_ clock: inout Clock, readingOut: Bool) {
        let spent = clock.run(phase, notBefore: readingOut ? clock.readOutIdle : 0)
        clock.window += spent
        if readingOut { clock.readOutIdle = clock.now - 1 + readOut }
    }

    /// A state that may not end before the read-out engine is idle unless the accumulation
    /// banks alternate (the next compute phase drains into the other bank), or unless
    /// `otherBank` says so (a pass's later tile, its kept sums in the other bank than the last).
    func waitingForReadOut(_ clock: inout Clock, _ cycles: Int, otherBank: Bool = false) {
        _ = clock.run(cycles, notBefore: banks.readOuts || otherBank ? 0 : clock.readOutIdle)
    }

    /// The controller's cycles from start to done.
    var cycles: Int {
        var clock = Clock()
        switch schedule {
        case .reloadedEveryTile, .resident:
            runTiles(&clock, count: tiles) { clock, tile in
                // Resident weights: the first tile loads every pass's, the later ones none.
                let perPass = schedule == .resident && tile > 0 ? 0 : weights
                _ = clock.run(load(clock, first: tile == 0))
                waitingForReadOut(&clock, prepare(weights: perPass))
                clock.window = 0
                for kPass in 0..<kPasses {
                    for channelPass in 0..<channelPasses {
                        if channelPass > 0 && perPass > 0 { _ = clock.run(perPass + 2) }
                        let readsOut = channelPass == channelPasses - 1, nextPass = kPass < kPasses - 1
                        // Back to back: with the weights in the banks, the next phase issues its first
                        // step the cycle after this one's last (a bubble first when a pixel is a
                        // single step; the next K pass only into the other accumulation bank, with
                        // the read-out engine idle by the last step); this K pass's read-out starts
                        // when it would have after a FLUSH.
                        let last = clock.now + issuing - 1
                        if perPass == 0 && (!readsOut || (nextPass && banks.readOuts
                                                         && clock.readOutIdle <= last)) {
                            let spent = issuing + (steps == 1 ? 1 : 0)
                            _ = clock.run(spent)
                            clock.window += spent
                            if readsOut { clock.readOutIdle = last + 7 + readOut }
                            continue
                        }
                        compute(&clock, readingOut: readsOut)
                        // READ_OUT: the next K pass's weights load while this one is read out.
                        if readsOut && nextPass { waitingForReadOut(&clock, perPass > 0 ? perPass + 2 : 1) }
                    }
                }
            }
        case .tilesInsidePasses:
            let passes = kPasses * channelPasses
            for pass in 0..<passes {
                let readsOut = pass % channelPasses == channelPasses - 1
                runTiles(&clock, count: tiles) { clock, tile in
                    let first = pass == 0 && tile == 0
                    // LOAD_GB: the global buffer's loader takes the first cycles, for what it has left.
                    let loading = clock.now + (first ? inputWords : max(inputWords - clock.window, 0))
                    _ = clock.run(load(clock, first: first))
                    clock.loadAhead(from: loading)
                    if tile == 0 {
                        // A pass's weights load with its first tile's input: all of them, or what
                        // did not load ahead (when the last word did in the cycle before, the
                        // compute waits one cycle for it to land).
                        var cycles = prepare(weights: weights)
                        if banks.weights && pass > 0 {
                            let landing = clock.weightsAhead == 0 && clock.weightsAheadEnd == clock.now
                            cycles = landing && banks.inputs ? 2 : prepare(weights: clock.weightsAhead)
                        }
                        waitingForReadOut(&clock, cycles)
                        // From its first compute phase the next pass's weights load ahead.
                        clock.weightsAhead = banks.weights && pass + 1 < passes ? weights : 0
                    } else {
                        let preparing = clock.now
                        waitingForReadOut(&clock, prepare(weights: 0), otherBank: banks.heldSums)
                        clock.loadAhead(from: preparing)
                    }
                    clock.window = 0
                    let computing = clock.now
                    compute(&clock, readingOut: readsOut)
                    clock.loadAhead(from: computing + min(inputWords, clock.now - computing))
                }
            }
        }
        // FINISH: done once the last read-out has written its last word.
        _ = clock.run(1, notBefore: clock.readOutIdle)
        return clock.now
    }

    /// Runs `count` tiles through `tile`; once two tiles after the first start alike (the same
    /// read-out lead and loader window), every later one repeats the last's cycles.
    func runTiles(_ clock: inout Clock, count: Int, _ tile: (inout Clock, Int) -> Void) {
        var previous: (start: Clock, relative: Clock)?
        var index = 0
        while index < count {
            let start = clock, relative = clock.relative
            if index >= 2, let previous, previous.relative == relative {
                // Tiles index..<count repeat the step from the previous start to this one.
                let step = start.now - previous.start.now
                let repeats = count - index
                clock.now += step * repeats
                clock.readOutIdle = clock.now + relative.readOutIdle
                return
            }
            previous = (start, relative)
            tile(&clock, index)
            index += 1
        }
    }
}
