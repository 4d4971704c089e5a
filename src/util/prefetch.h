// util/prefetch.h: asking the CPU to start loading memory a caller will read soon.
//
// Only worth it where the caller knows the address well before the read and nothing else would
// fetch it in time: the timeline's merge, which knows the next source it calls. Prefetched too
// early the lines leave the cache again (docs/performance.md, "Cache behaviour").
#ifndef KIRIWAKE_UTIL_PREFETCH_H_
#define KIRIWAKE_UTIL_PREFETCH_H_

#include <cstddef>
#include <cstdint>

namespace kiriwake {

// Every 64-byte line [p, p + n) touches, including one the span only starts in. Reads nothing.
inline void PrefetchLines(const void* p, size_t n) {
  auto first = reinterpret_cast<uintptr_t>(p) & ~uintptr_t{63};
  auto end = reinterpret_cast<uintptr_t>(p) + n;
  for (uintptr_t a = first; a < end; a += 64) __builtin_prefetch(reinterpret_cast<const void*>(a));
}

}  // namespace kiriwake

#endif  // KIRIWAKE_UTIL_PREFETCH_H_
