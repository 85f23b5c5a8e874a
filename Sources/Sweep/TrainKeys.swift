import Quantization

/// The keys a sweep file may set: a run's settings by their `pmf train` flag names
/// (`RunSpec.Key.flag`), the `preset` they start from, the checkpoint interval, and the method
/// parameters that are composed into the method spec (`pmf` + `rho: 1.05` → `pmf[rho=1.05]`).
public enum TrainKeys {
    /// The run's settings and the sweep's own keys, in run-id order (`seed` last).
    public static let options = ["preset"] + RunSpec.Key.allCases.filter { $0 != .seed }.map(\.flag) + ["checkpoint-every", "seed"]

    /// Method parameters, in the order they are written inside `name[…]`; this order fixes existing
    /// run ids, and a test ties the set to `MethodKind.settingKeys`.
    public static let methodParameters = ["beta0", "rho", "every", "cap", "jacobian", "tilde", "init", "reg", "span", "freeze", "clip"]

    /// Keys that are no run setting and whose values must be whole numbers ≥ 0.
    static let integerOptions: Set = ["checkpoint-every", "every", "span"]
    /// Method parameters whose values must be finite numbers.
    static let numberOptions: Set = ["beta0", "rho", "cap", "reg", "freeze"]

    /// The parameters each method accepts (the quantization methods of `pmf train`); a method not
    /// listed here gets every parameter the sweep gives it and `pmf train` judges them.
    public static let parametersByMethod: [String: Set<String>] = Dictionary(uniqueKeysWithValues: MethodKind.allCases.map {
        ($0.rawValue, Set($0.settingKeys))
    })

    /// Every key a sweep file may use for an option or an axis.
    public static var all: [String] { options + methodParameters }

    /// The short tag that stands for `key` in a run id (`seed=2` → `s2`, `rho=1.05` → `rho1.05`);
    /// empty for keys whose value alone reads well (`arch`, `method`, `dataset`, …).
    static func idTag(_ key: String) -> String {
        switch key {
        case "preset", "arch", "dataset", "method", "levels", "optimizer", "schedule": ""
        case "seed": "s"
        case "epochs": "e"
        case "limit": "n"
        case "batch-size": "bs"
        case "weight-decay": "wd"
        case "momentum": "mom"
        case "log-every": "log"
        case "checkpoint-every": "ckpt"
        case "float-layers": "float"
        default: key
        }
    }
}
