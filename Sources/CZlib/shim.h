// zlib, for reading gzip-compressed datasets (IDX .gz files).
#include <zlib.h>
