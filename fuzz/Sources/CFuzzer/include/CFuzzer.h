#ifndef PMFKIT_CFUZZER_H
#define PMFKIT_CFUZZER_H
#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (linked in by -sanitize=fuzzer): parses the libFuzzer flags in argv and
/// fuzzes `callback`. SwiftPM gives every executable its own `main`, so the targets call this
/// instead of relying on libFuzzer's `main`.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
