/*
 * fz_main.c - libFuzzer's entry point for one target: built once per
 * target with -DFZ_TARGET=fz_<name> (tests/fuzz/CMakeLists.txt).
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return FZ_TARGET(data, size);
}
