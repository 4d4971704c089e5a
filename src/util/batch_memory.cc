#include "util/batch_memory.h"

#include <malloc.h>

namespace kiriwake {

bool KeepFreedMemory() {
  // Blocks up to 32 MiB (glibc's largest allowed threshold) come from the heap rather than their
  // own mappings, and the heap top is never trimmed: freed memory stays for the next phase.
  bool ok = mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1;
  ok = mallopt(M_TRIM_THRESHOLD, -1) == 1 && ok;
  return ok;
}

}  // namespace kiriwake
