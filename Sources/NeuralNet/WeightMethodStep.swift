extension WeightMethod {
    /// One training step of this method, in the order every training loop uses: `prepareForward`
    /// (the weights from the variables), `passes` (the network's forward and backward passes, which
    /// leave ∂L/∂w in the parameters' gradients), `pullBack` (∂L/∂w into the variables' gradients),
    /// `optimizer`'s step at `step.learningRate`, `afterStep`, then the finiteness scan of the
    /// method's state (`nonFiniteStateTensor`).
    /// - Returns: what `passes` returned.
    /// - Throws: what `passes` throws, or `TrainingError` naming the state tensor that became non-finite.
    public func step<Result>(_ step: StepInfo, optimizer: any Optimizer, passes: () throws -> Result) throws -> Result {
        prepareForward(iteration: step.iteration)
        let result = try passes()
        pullBack(iteration: step.iteration)
        optimizer.step(learningRate: step.learningRate)
        afterStep(step)
        if let group = nonFiniteStateTensor() {
            throw TrainingError.stateNotFinite(group: group, iteration: step.iteration + 1)
        }
        return result
    }
}
