/// A duration as a number of seconds (whole seconds plus attoseconds), the unit every report uses.
public extension Duration {
    var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
