import CGSL

/// The OpenBLAS that CGSL links: its build configuration and its thread count.
public enum OpenBLAS {
    /// OpenBLAS's build configuration (`openblas_get_config`), e.g. `OpenBLAS 0.3.26 DYNAMIC_ARCH …`.
    public static var configuration: String { String(cString: openblas_get_config()) }

    /// The threads OpenBLAS's own kernels use; setting it calls `openblas_set_num_threads`.
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(newValue)) }
    }
}
