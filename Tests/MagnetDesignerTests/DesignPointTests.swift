import Testing
@testable import MagnetDesigner

@Suite struct DesignPointTests {
    @Test func simbaLikeIsValid() {
        let point = simbaLike()
        #expect(point.validate().isEmpty)
        #expect(point.macCount == 1024)
        // 1024 MACs × 2 ops × 2 GHz = 4.096 TOPS (Simba: 4 TOPS peak per chiplet).
        #expect(close(point.peakTOPS, 4.096))
    }

    func problems(_ change: (inout DesignPoint) -> Void) -> [DesignProblem] {
        var point = simbaLike()
        change(&point)
        return point.validate()
    }

    @Test func zeroSizesAreRejected() {
        let found = problems { $0.lanes = 0; $0.globalBufferBytes = 0 }
        #expect(found.contains(DesignProblem(parameter: "lanes", message: "must be greater than zero (got 0)")))
        #expect(found.contains(DesignProblem(parameter: "globalBuffer", message: "must be greater than zero (got 0)")))
    }

    @Test func bufferThatCannotHoldOneVector() {
        // One weight vector per lane: 8 lanes × 8 × 8 bits = 64 B.
        let found = problems { $0.weightBufferBytes = 32 }
        #expect(found == [DesignProblem(parameter: "weightBuffer",
                                        message: "32 B cannot hold one weight vector per lane (8 × 8 × 8 bits = 64 B)")])
        let accumulation = problems { $0.accumulationBufferBytes = 16 }  // 8 lanes × 24 bits = 24 B
        #expect(accumulation.first?.parameter == "accumulationBuffer")
    }

    @Test func accumulationNarrowerThanTheProduct() {
        let found = problems { $0.accumulationBits = 15 }
        #expect(found == [DesignProblem(parameter: "accumulationBits",
                                        message: "15 bits is narrower than the 16-bit product of int8 × int8")])
        #expect(problems { $0.weightFormat = .int4; $0.accumulationBits = 12 }.isEmpty)
        #expect(problems { $0.weightFormat = .fp16; $0.activationFormat = .fp16; $0.accumulationBits = 24 }.map(\.parameter)
                == ["accumulationBits"])
    }

    @Test func unknownNode() {
        let found = problems { $0.technology = "12nm" }
        #expect(found.map(\.parameter) == ["technology"])
        #expect(found.first?.message.contains("known: 65nm, 45nm, 28nm, 16nm, 7nm") == true)
    }

    @Test func arrayShapeMustMultiplyOut() {
        let found = problems { $0.peRows = 3 }
        #expect(found == [DesignProblem(parameter: "peRows", message: "peRows × peColumns (3 × 4) must equal numPEs (16)")])
    }

    @Test func defaultArrayIsNearlySquare() {
        #expect(DesignPoint.defaultArrayShape(numPEs: 16, rows: nil, columns: nil) == (4, 4))
        #expect(DesignPoint.defaultArrayShape(numPEs: 32, rows: nil, columns: nil) == (4, 8))
        #expect(DesignPoint.defaultArrayShape(numPEs: 7, rows: nil, columns: nil) == (1, 7))
        #expect(DesignPoint.defaultArrayShape(numPEs: 12, rows: 2, columns: nil) == (2, 6))
    }

    @Test func elaborateRefusesInvalidPoints() {
        var point = simbaLike()
        point.vectorSize = 0
        #expect(throws: DesignProblem.self) { try point.elaborate() }
    }
}
