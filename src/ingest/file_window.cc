#include "ingest/file_window.h"

#include <atomic>
#include <csignal>
#include <mutex>

#include <sys/mman.h>
#include <unistd.h>

namespace kiriwake::ingest {
namespace {

// The SIGBUS handler's view of every live window. Plain atomics: the handler may run in any
// thread at any moment and can take no lock.
struct Slot {
  std::atomic<uintptr_t> begin{0};  // 0: free
  std::atomic<uintptr_t> end{0};
  std::atomic<bool> shrunk{false};
};
Slot g_slots[FileWindow::kMaxLiveWindows];
std::atomic<bool> g_slot_busy[FileWindow::kMaxLiveWindows];
struct sigaction g_previous;
uintptr_t g_page = 4096;
std::once_flag g_install_once;

void OnSigbus(int sig, siginfo_t* info, void* context) {
  auto addr = reinterpret_cast<uintptr_t>(info->si_addr);
  for (Slot& s : g_slots) {
    uintptr_t b = s.begin.load(std::memory_order_acquire);
    uintptr_t e = s.end.load(std::memory_order_acquire);
    if (b == 0 || addr < b || addr >= e) continue;
    // Ours: the file shrank. Zero pages from the faulting one to the window's end; the access
    // is retried on return and reads 0. mmap is a plain system call here (async-signal-safe in
    // practice on Linux, as every mmap-based reader that survives truncation relies on).
    uintptr_t page = addr & ~(g_page - 1);
    mmap(reinterpret_cast<void*>(page), e - page, PROT_READ,
         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    s.shrunk.store(true, std::memory_order_release);
    return;
  }
  // Not a window of ours: whoever handled SIGBUS before us (a sanitizer, the default action).
  if (g_previous.sa_flags & SA_SIGINFO) {
    if (g_previous.sa_sigaction != nullptr) {
      g_previous.sa_sigaction(sig, info, context);
      return;
    }
  } else if (g_previous.sa_handler != SIG_IGN && g_previous.sa_handler != SIG_DFL &&
             g_previous.sa_handler != nullptr) {
    g_previous.sa_handler(sig);
    return;
  }
  // Default action: restore it and return; the fault repeats and ends the process as it would
  // have without us.
  signal(SIGBUS, SIG_DFL);
}

void Install() {
  long page = sysconf(_SC_PAGESIZE);
  if (page > 0) g_page = static_cast<uintptr_t>(page);
  struct sigaction sa = {};
  sa.sa_sigaction = OnSigbus;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGBUS, &sa, &g_previous);
}

}  // namespace

size_t FileWindow::PageSize() {
  std::call_once(g_install_once, Install);
  return g_page;
}

bool FileWindow::Map(int fd, uint64_t offset, size_t length) {
  Unmap();
  if (length == 0 || offset % PageSize() != 0) return false;
  int slot = -1;
  for (size_t i = 0; i < kMaxLiveWindows; ++i) {
    bool expected = false;
    if (g_slot_busy[i].compare_exchange_strong(expected, true)) {
      slot = static_cast<int>(i);
      break;
    }
  }
  if (slot < 0) return false;
  void* m = mmap(nullptr, length, PROT_READ, MAP_PRIVATE, fd, static_cast<off_t>(offset));
  if (m == MAP_FAILED) {
    g_slot_busy[slot].store(false);
    return false;
  }
  madvise(m, length, MADV_SEQUENTIAL);
  Slot& s = g_slots[slot];
  s.shrunk.store(false, std::memory_order_relaxed);
  s.end.store(reinterpret_cast<uintptr_t>(m) + length, std::memory_order_release);
  s.begin.store(reinterpret_cast<uintptr_t>(m), std::memory_order_release);
  data_ = static_cast<const char*>(m);
  size_ = length;
  slot_ = slot;
  return true;
}

void FileWindow::Unmap() {
  if (data_ == nullptr) return;
  Slot& s = g_slots[slot_];
  s.begin.store(0, std::memory_order_release);
  s.end.store(0, std::memory_order_release);
  munmap(const_cast<char*>(data_), size_);
  g_slot_busy[slot_].store(false);
  data_ = nullptr;
  size_ = 0;
  slot_ = -1;
}

bool FileWindow::shrunk() const {
  return slot_ >= 0 && g_slots[slot_].shrunk.load(std::memory_order_acquire);
}

}  // namespace kiriwake::ingest
