import Simplex
import Testing

@Suite struct LevelsTests {
    @Test func namedSets() throws {
        #expect(QuantizationLevels.binary.values == [-1, 1])
        #expect(QuantizationLevels.ternary.values == [-1, 0, 1])
        #expect(try QuantizationLevels.kLevel(2) == .binary)
        #expect(try QuantizationLevels.kLevel(3) == .ternary)
        #expect(try QuantizationLevels.kLevel(4).values == [-2, -1, 1, 2])
        #expect(try QuantizationLevels.kLevel(5).values == [-2, -1, 0, 1, 2])
        #expect(try QuantizationLevels(name: "k4").values == [-2, -1, 1, 2])
        #expect(try QuantizationLevels(name: "-1, 0.5,2").values == [-1, 0.5, 2])
        for k in 2 ... 9 { #expect(try QuantizationLevels.kLevel(k).count == k) }
    }

    @Test func invalidSetsAreRejectedWithAReason() {
        #expect(throws: SimplexError.self) { try QuantizationLevels([1, -1]) }
        #expect(throws: SimplexError.self) { try QuantizationLevels([0, 0, 1]) }
        #expect(throws: SimplexError.self) { try QuantizationLevels([1]) }
        #expect(throws: SimplexError.self) { try QuantizationLevels([0, .nan]) }
        #expect(throws: SimplexError.self) { try QuantizationLevels.kLevel(1) }
        do {
            _ = try QuantizationLevels(name: "quaternary")
            Issue.record("an unknown name was accepted")
        } catch {
            let message = error.description
            #expect(message.contains("quaternary"))
            #expect(message.contains("ternary"))
        }
    }

    @Test func liftingIsTheExpectationOfW() throws {
        let q = try QuantizationLevels.kLevel(4)
        let expected: Double = -0.2 - 0.2 + 0.3 + 0.8
        #expect(abs(q.lift([0.1, 0.2, 0.3, 0.4]) - expected) < 1e-15)
        for index in 0 ..< q.count {
            #expect(q.lift(q.vertex(ofLevel: index, as: Double.self)) == q.values[index])
        }
        let u = RowMatrix<Double>([[1, 0], [0.25, 0.75]])
        #expect(QuantizationLevels.binary.lift(u) == [-1, 0.5])
    }

    @Test func nearestLevel() {
        #expect(QuantizationLevels.ternary.nearestLevelIndex(to: 0.4) == 1)
        #expect(QuantizationLevels.ternary.nearestLevelIndex(to: 0.6) == 2)
        #expect(QuantizationLevels.binary.nearestLevelIndex(to: 0) == 0)
    }
}
