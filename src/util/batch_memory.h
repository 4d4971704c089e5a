// util/batch_memory.h: a batch run keeps the memory it frees for its own reuse.
//
// kiriwake's batch verbs build and drop large structures phase after phase: a topology, a
// million observations, a million folded paths, the engine's incidence lists. By default glibc
// hands big blocks back to the kernel when they are freed (mmap'd chunks, a trimmed heap top),
// and the next phase faults fresh pages in. On the VMs kiriwake is benchmarked on a first touch
// of a 4 KiB page costs 11-40 us, so that round trip was a fifth of `localize` at k=48
// (docs/performance.md). Peak memory is the same; the process keeps it until it exits. Not for
// the agent: a daemon gives memory back.
#ifndef KIRIWAKE_UTIL_BATCH_MEMORY_H_
#define KIRIWAKE_UTIL_BATCH_MEMORY_H_

namespace kiriwake {

// Process-wide; call once at start-up, before the big allocations. False if glibc refused.
bool KeepFreedMemory();

}  // namespace kiriwake

#endif  // KIRIWAKE_UTIL_BATCH_MEMORY_H_
