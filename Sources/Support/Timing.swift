/// A duration as a number of seconds (whole seconds plus attoseconds), the unit every report uses.
public extension Duration {
    var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}

/// `body`'s value and the wall-clock seconds it took (`ContinuousClock`).
public func timed<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> (T, Double) {
    let clock = ContinuousClock()
    let start = clock.now
    let value = try body()
    return (value, (clock.now - start).inSeconds)
}
