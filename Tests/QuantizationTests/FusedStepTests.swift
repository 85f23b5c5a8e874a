import NeuralNet
import Quantization
import Simplex
import Testing

/// `LiftedWeights` runs the pullback, the optimizer's update and the next lift block by block in
/// one pass. Here each step is checked against the three computations done separately on copies:
/// the pullback from a fresh projection, Adam over a stored gradient, and a fresh lift at the next β.
@Suite struct FusedStepTests {
    /// Linear 300→120→10: 36 000 + 1 200 rows, enough for the parallel split; β doubles every
    /// iteration, so a lift with the wrong β would show.
    func setUp(_ spec: String) throws -> (Sequential, any WeightMethod, Tensor, Tensor) {
        let random = RandomSource(seed: 5)
        let model = Sequential([Linear(300, 120), ReLU(), Linear(120, 10)])
        initialize(model, using: random)
        let method = try MethodSpec(parsing: spec).makeMethod(for: model)
        let input = Tensor(shape: [16, 300], values: (0 ..< 16 * 300).map { _ in Float(random.uniform(-1, 1)) })
        let upstream = Tensor(shape: [16, 10], values: (0 ..< 160).map { _ in Float(random.uniform(-1, 1)) })
        return (model, method, input, upstream)
    }

    @Test(arguments: ["pmf[beta0=1,rho=2,every=1,cap=100]", "pmf[beta0=1,rho=2,every=1,cap=100,jacobian=reference]",
                      "pgd[beta0=1,rho=2,every=1,cap=100]", "picm"])
    func oneBlockwisePassEqualsThreeSeparateOnes(_ spec: String) throws {
        let (model, method, input, upstream) = try setUp(spec)
        let parsed = try MethodSpec(parsing: spec)
        let q: [Float] = [-1, 1]
        func projection(at iteration: Int) -> Projection<Float> {
            switch parsed.kind {
            case .pmf: .softmax(beta: Float(parsed.beta.beta(at: iteration)), jacobian: parsed.jacobian)
            case .pgd: .sparsemax(beta: Float(parsed.beta.beta(at: iteration)))
            default: .hardmax
            }
        }
        let weights = model.namedParameters(prefix: "").map(\.parameter)
        let copies = method.variables.map { Tensor(shape: [$0.value.count], values: $0.value.array) }
        let copyGradients = copies.map { Tensor(shape: [$0.count]) }
        let adam = Adam(method.variables), reference = Adam(zip(copies, copyGradients).enumerated().map { OptimizedTensor(name: "copy.\($0)", value: $1.0, gradient: $1.1) })
        for iteration in 0 ..< 4 {
            method.prepareForward(iteration: iteration)
            _ = model.forward(input, training: true)
            _ = model.backward(upstream, needsInputGradient: false)
            method.pullBack(iteration: iteration)
            // The pullback at this iteration's β from u = P(ũ), w = u·q formed afresh.
            let map = projection(at: iteration)
            for (index, (copy, parameter)) in zip(copies, weights).enumerated() {
                let (u, w) = (Tensor(shape: [copy.count]), Tensor(shape: [parameter.count]))
                map.applyAndLift(UnsafeBufferPointer(copy.buffer), into: u.buffer, weights: w.buffer, levels: q)
                map.pullbackFromWeights(input: UnsafeBufferPointer(copy.buffer), output: UnsafeBufferPointer(u.buffer),
                                        weightGradient: UnsafeBufferPointer(parameter.gradient.buffer), levels: q,
                                        into: copyGradients[index].buffer)
                let same = method.variables[index].gradientValues == copyGradients[index].array
                #expect(same, "\(spec), iteration \(iteration): ∂L/∂ũ of group \(index)")
            }
            adam.step(learningRate: 0.01)
            reference.step(learningRate: 0.01)
            method.afterStep(StepInfo(iteration: iteration, epoch: 0, learningRate: 0.01, iterations: 1000))
            let stepped = zip(method.variables, copies).allSatisfy { $0.value.array == $1.array }
            #expect(stepped, "\(spec), iteration \(iteration): ũ after the step")
            // The weights the next forward pass uses: P(ũ)·q at the next iteration's β.
            let next = projection(at: iteration + 1)
            for (copy, parameter) in zip(copies, weights) {
                let (u, w) = (Tensor(shape: [copy.count]), Tensor(shape: [parameter.count]))
                next.applyAndLift(UnsafeBufferPointer(copy.buffer), into: u.buffer, weights: w.buffer, levels: q)
                let lifted = parameter.value.array == w.array
                #expect(lifted, "\(spec), iteration \(iteration): w for the next forward pass")
            }
        }
    }

    /// A NaN gradient in one group is caught by the pass that updates it and named, without a scan;
    /// after `variablesChanged` a NaN written into ũ directly is found by scanning.
    @Test func nonFiniteGroupsAreNamed() throws {
        let (model, method, input, upstream) = try setUp("pmf")
        let adam = Adam(method.variables)
        method.prepareForward(iteration: 0)
        _ = model.forward(input, training: true)
        _ = model.backward(upstream, needsInputGradient: false)
        #expect(method.nonFiniteStateTensor() == nil)
        let second = model.namedParameters(prefix: "")[2]
        second.parameter.gradient[7] = .nan
        method.pullBack(iteration: 0)
        adam.step(learningRate: 0.01)
        method.afterStep(StepInfo(iteration: 0, epoch: 0, learningRate: 0.01, iterations: 1000))
        #expect(method.nonFiniteStateTensor() == method.stateTensors[2].name)
        #expect(method.stateTensors[2].name.hasPrefix(second.name))

        let (_, fresh, _, _) = try setUp("pmf")
        fresh.stateTensors[1].tensor[3] = .infinity
        fresh.variablesChanged()
        #expect(fresh.nonFiniteStateTensor() == fresh.stateTensors[1].name)
    }
}
