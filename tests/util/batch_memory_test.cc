#include "util/batch_memory.h"

#include <cstdlib>
#include <cstring>

#include <gtest/gtest.h>
#include <sys/resource.h>

namespace kiriwake {
namespace {

long MinorFaults() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_minflt;
}

// Allocates and touches `bytes`, frees it, and returns the minor page faults that took.
long FaultsToTouch(size_t bytes) {
  long before = MinorFaults();
  auto* p = static_cast<char*>(std::malloc(bytes));
  std::memset(p, 1, bytes);
  // The block escapes, so neither the stores nor the allocation can be optimised away.
  asm volatile("" : : "r"(p) : "memory");
  std::free(p);
  return MinorFaults() - before;
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kGlibcMalloc = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kGlibcMalloc = false;
#else
constexpr bool kGlibcMalloc = true;
#endif
#else
constexpr bool kGlibcMalloc = true;
#endif

TEST(KeepFreedMemory, ASecondBlockOfTheSameSizeReusesTheFirstsPages) {
  if (!kGlibcMalloc) GTEST_SKIP() << "AddressSanitizer replaces glibc's malloc and ignores mallopt";
  ASSERT_TRUE(KeepFreedMemory());
  constexpr size_t kBytes = 24 << 20;  // 6,144 pages; more than the default trim and mmap limits
  long first = FaultsToTouch(kBytes);
  long second = FaultsToTouch(kBytes);
  // The first block is fresh memory: a fault per page (or per huge page, where THP is on).
  EXPECT_GT(first, 0);
  // The second finds the first's pages still mapped: glibc would otherwise have unmapped or
  // trimmed them, and the kernel would fault every page in again.
  EXPECT_LT(second, 64) << "first " << first;
}

}  // namespace
}  // namespace kiriwake
