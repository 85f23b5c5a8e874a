/// Every check `pmf check` runs by default, in the paper's order.
public func allChecks() -> [Check] {
    [lemma21(), theorem31(), meanFieldAsPMF(), pmfApproachesMeanField(), algorithm1Gradient(), softmaxLimit(),
     relaxationGap(), proposition21(), proposition31(), proposition31MiniBatch()]
}

/// The random trials per check and the seed `pmf check` and the figures' evidence use by default.
public let defaultCheckTrials = 200
public let defaultCheckSeed: UInt = 1
