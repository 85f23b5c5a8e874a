import MRF
import NeuralNet
import Quantization
import Simplex
import Testing

/// The MRF solvers and the training methods share Simplex's rules (`UpdateRuleKind`, issue #26): a
/// name both `pmf mrf` and `pmf train` accept means one rule, and each training method on the
/// simplex moves a row as the MRF solver of its rule does.
@Suite struct MethodVocabularyTests {
    /// `pmf mrf`'s name of the rule of each training method on the simplex.
    static let mrfName: [MethodKind: RelaxationSettings.Method] = [.picm: .picm, .pgd: .sparsemaxPGD, .pmf: .pmf, .md: .md]

    @Test func aNameBothToolsAcceptMeansOneRule() {
        for kind in MethodKind.allCases {
            #expect(kind.rule == Self.mrfName[kind]?.rule, "\(kind)")
            if let namesake = RelaxationSettings.Method(rawValue: kind.rawValue) { #expect(namesake.rule == kind.rule, "\(kind)") }
        }
        #expect(RelaxationSettings.Method(rawValue: MethodKind.pgd.rawValue) == nil)
    }

    /// LiftedWeights' P is the projection that closes the MRF rule's step; SimplexWeights' update of
    /// u is the MRF rule's, at the same η and β.
    @Test(arguments: ["picm", "pgd[beta0=2]", "pmf[beta0=2]", "pmf[beta0=2,tilde=false]", "md[beta0=2]"])
    func aTrainingMethodMovesARowAsTheMRFSolverOfItsRule(text: String) throws {
        let spec = try MethodSpec(parsing: text)
        let levels: QuantizationLevels = spec.kind == .picm ? .binary : .ternary
        let d = levels.count
        var settings = RelaxationSettings(try #require(Self.mrfName[spec.kind]))
        settings.eta = 0.3
        let rule = settings.rule(beta: 2)
        let x = Array([0.4, -0.2, 0.1].prefix(d)), u = Array([0.2, 0.5, 0.3].prefix(d)), g = Array([0.7, -0.4, 0.2].prefix(d))
        let expected: [Double], found: [Float]
        switch try spec.makeMethod(for: Linear(3, 2), levels: levels) {
        case let lifted as LiftedWeights:
            expected = rule.projection(x)
            found = lifted.projection(beta: 2, jacobian: lifted.jacobian)(x.map(Float.init))
        case let direct as SimplexWeights:
            expected = rule(RowMatrix([u]), gradient: RowMatrix([g])).storage
            found = direct.updateRule(learningRate: 0.3)(RowMatrix([u.map(Float.init)]), gradient: RowMatrix([g.map(Float.init)])).storage
        default:
            Issue.record("\(text) is no method on the simplex")
            return
        }
        #expect(zip(expected, found).allSatisfy { abs($0 - Double($1)) < 1e-6 }, "\(text): \(found) against \(expected)")
    }
}
