// ingest/file_window.h: a read-only memory mapping of part of a file that survives the file
// shrinking under it.
//
// Why: reading a multi-GB log with read() spends as much CPU copying bytes out of the page cache
// as parsing them (0.15-0.24 s against 0.08 s per GB on the CI machine); mapping windows
// of the file costs neither the copy nor the memory of a whole-file mapping. The danger of a
// mapping is a file truncated while it is read (logrotate's copytruncate on a live log): touching
// a page past the new end raises SIGBUS and kills the process. A process-wide SIGBUS handler
// (installed on first use, chaining to any earlier one for faults that are not ours) replaces the
// rest of the faulting window with zero pages and marks the window shrunk, so the reader can turn
// it into an error naming the file instead of a crash.
//
// A window is owned by one thread; different windows may live in different threads. At most
// kMaxLiveWindows exist at once; Map() fails beyond that and the caller reads instead. The budget
// is what keeps a merge of many files small: mapped pages count in the process's memory and a
// window per file of a 60-file timeline was 120 MiB (against 35 MiB reading 64 KiB at a time,
// for the same CPU), while a single large file is where mapping saves (0.07 s per GB).

#ifndef KIRIWAKE_INGEST_FILE_WINDOW_H_
#define KIRIWAKE_INGEST_FILE_WINDOW_H_

#include <cstddef>
#include <cstdint>

namespace kiriwake::ingest {

class FileWindow {
 public:
  static constexpr size_t kMaxLiveWindows = 8;

  FileWindow() = default;
  ~FileWindow() { Unmap(); }
  FileWindow(const FileWindow&) = delete;
  FileWindow& operator=(const FileWindow&) = delete;

  // Maps [offset, offset + length) of `fd`, read-only; offset must be a multiple of PageSize().
  // Replaces any earlier mapping. False (and nothing mapped) when the system refuses or too many
  // windows are live.
  bool Map(int fd, uint64_t offset, size_t length);
  void Unmap();

  const char* data() const { return data_; }
  size_t size() const { return size_; }
  bool mapped() const { return data_ != nullptr; }
  // True once a page of this window was found past the end of the file (the file shrank): from
  // that page on, the window reads as zero bytes.
  bool shrunk() const;

  static size_t PageSize();

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
  int slot_ = -1;  // index in the SIGBUS handler's table
};

}  // namespace kiriwake::ingest

#endif  // KIRIWAKE_INGEST_FILE_WINDOW_H_
