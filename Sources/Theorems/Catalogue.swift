/// Every check `pmf check` runs by default, in the paper's order.
public func allChecks() -> [Check] {
    [lemma21(), theorem31(), meanFieldAsPMF(), pmfApproachesMeanField(), algorithm1Gradient(), softmaxLimit(),
     relaxationGap(), proposition21(), proposition31(), proposition31MiniBatch()]
}
