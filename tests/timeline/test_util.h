// tests/timeline/test_util.h: helpers to read events from in-memory files.
#ifndef KIRIWAKE_TESTS_TIMELINE_TEST_UTIL_H_
#define KIRIWAKE_TESTS_TIMELINE_TEST_UTIL_H_

#include <memory>
#include <string>
#include <vector>

#include "ingest/line_reader.h"
#include "timeline/file_source.h"

namespace kiriwake::timeline {

inline std::unique_ptr<FileSource> SourceOf(const std::string& text, const std::string& name,
                                            const Zone* zone = nullptr, int year = 2020,
                                            std::string host = "h1", size_t window = 256) {
  FileSourceOptions opt;
  opt.zone = zone;
  opt.host = std::move(host);
  opt.reorder_window = window;
  auto r = FileSource::FromReader(ingest::LineReader::FromString(text, name), opt);
  if (!r.ok()) return nullptr;
  auto s = std::move(*r);
  if (s->needs_year()) s->SetAssumedYear(year, "test");
  return s;
}

inline std::vector<Event> Drain(FileSource& s) {
  std::vector<Event> out;
  Event e;
  while (s.Next(&e)) out.push_back(e);
  return out;
}

inline std::string Utc(const Event& e) { return FormatUtc(e.time); }

}  // namespace kiriwake::timeline

#endif  // KIRIWAKE_TESTS_TIMELINE_TEST_UTIL_H_
