/// The toolkit's version: printed by `pmf --version`, recorded in every run report and data file.
public let toolkitVersion = "0.1.0"
