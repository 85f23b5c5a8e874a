import Quantization

/// The `pmf train` options a sweep file may set, and the method parameters that are composed into
/// the method spec (`pmf` + `rho: 1.05` → `--method pmf[rho=1.05]`).
public enum TrainKeys {
    /// Keys that map one-to-one to `pmf train --KEY VALUE`, in the order they are written into argv
    /// (`method` is written composed with its parameters; `seed` is last in run ids).
    public static let options = ["preset", "arch", "dataset", "data", "method", "levels", "float-layers", "limit", "epochs",
                                 "batch-size", "optimizer", "lr", "momentum", "weight-decay", "schedule", "log-every",
                                 "bn", "validate", "checkpoint-every", "seed"]

    /// Method parameters, in the order they are written inside `name[…]`.
    public static let methodParameters = ["beta0", "rho", "every", "cap", "jacobian", "tilde", "init", "reg", "span", "freeze", "clip"]

    /// Options whose values must be non-negative integers.
    static let integerOptions: Set = ["limit", "epochs", "batch-size", "log-every", "checkpoint-every", "seed", "every", "span"]
    /// Options whose values must be finite numbers.
    static let numberOptions: Set = ["lr", "momentum", "weight-decay", "beta0", "rho", "cap", "reg", "freeze"]

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
