// tests/ingest/ping_test_util.h: parse a test file or a string with ParsePingLog.
#ifndef KIRIWAKE_TESTS_INGEST_PING_TEST_UTIL_H_
#define KIRIWAKE_TESTS_INGEST_PING_TEST_UTIL_H_

#include <string>

#include <gtest/gtest.h>

#include "ingest/line_reader.h"
#include "ingest/ping_log.h"

namespace kiriwake::ingest {

inline Result<PingLog> ParseData(const std::string& name) {
  auto r = LineReader::Open(std::string(KW_TEST_DATA) + "/ping/" + name);
  if (!r.ok()) return r.status();
  return ParsePingLog(**r);
}

inline Result<PingLog> ParseText(std::string text, std::string name = "t.txt") {
  auto r = LineReader::FromString(std::move(text), std::move(name));
  return ParsePingLog(*r);
}

inline bool HasWarning(const PingSession& s, int64_t line, const std::string& part) {
  for (const Diagnostic& d : s.warnings) {
    if (d.loc.line == line && d.message.find(part) != std::string::npos) return true;
  }
  return false;
}

}  // namespace kiriwake::ingest

#endif  // KIRIWAKE_TESTS_INGEST_PING_TEST_UTIL_H_
