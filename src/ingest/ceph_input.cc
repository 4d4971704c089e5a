#include "ingest/ceph_input.h"

#include <nlohmann/json.hpp>

#include "ingest/ceph_health.h"
#include "ingest/ceph_log.h"
#include "ingest/ceph_log_json.h"
#include "ingest/ceph_osd_map.h"
#include "ingest/ceph_osd_network.h"
#include "util/text.h"

namespace kiriwake::ingest {

std::string_view CephInputKindName(CephInputKind k) {
  switch (k) {
    case CephInputKind::kEmpty:
      return "empty";
    case CephInputKind::kLog:
      return "log";
    case CephInputKind::kHealthText:
      return "health_text";
    case CephInputKind::kHealthJson:
      return "health_json";
    case CephInputKind::kOsdNetwork:
      return "dump_osd_network";
    case CephInputKind::kOsdDump:
      return "osd_dump";
    case CephInputKind::kOsdTree:
      return "osd_tree";
    case CephInputKind::kOsdMetadata:
      return "osd_metadata";
    case CephInputKind::kLogJson:
      return "log_json";
    case CephInputKind::kJson:
      return "json";
  }
  return "unknown";
}

namespace {

bool LooksLikeJson(std::string_view first) {
  first = text::TrimLeft(first);
  if (first.starts_with("{")) return true;
  if (!first.starts_with("[")) return false;
  // "[WRN] OSD_DOWN: ..." is health-detail text; a JSON array starts "[", "[{" or "[\n".
  std::string_view rest = text::TrimLeft(first.substr(1));
  return rest.empty() || rest[0] == '{' || rest[0] == ']' || rest[0] == '"';
}

// nlohmann's DOM parser, keeping where parsing failed: its own parse() throws a number overflow
// ("1e400") as out_of_range without the byte offset its SAX callback was given.
class LocatingJsonParser : public nlohmann::detail::json_sax_dom_parser<nlohmann::json> {
 public:
  explicit LocatingJsonParser(nlohmann::json& root)
      : nlohmann::detail::json_sax_dom_parser<nlohmann::json>(root, /*allow_exceptions=*/false) {}
  // Hides the base's: sax_parse is a template over the SAX type, so this one is called.
  bool parse_error(std::size_t byte, const std::string& /*token*/,
                   const nlohmann::detail::exception& e) {
    error_byte = byte;
    error = e.what();
    return false;
  }
  size_t error_byte = 0;
  std::string error;
};

Status ReadJson(LineReader* reader, std::string first, CephSink* sink, CephInputStats* stats) {
  const std::string& file = reader->name();
  std::string doc = std::move(first);
  doc += '\n';
  std::string_view line;
  while (reader->Next(&line)) {
    ++stats->lines;
    if (doc.size() + line.size() + 1 > kMaxCephJsonBytes) {
      return Status::At(StatusCode::kMalformed, {file, reader->line_number(), 0},
                        "JSON document larger than 256 MiB");
    }
    doc.append(line);
    doc += '\n';
  }
  KW_RETURN_IF_ERROR(reader->status());
  nlohmann::json j;
  LocatingJsonParser sax(j);
  bool parsed = false;
  try {
    parsed = nlohmann::json::sax_parse(doc, &sax);
  } catch (const nlohmann::json::exception& e) {
    return Status::At(StatusCode::kMalformed, {file, 0, 0},
                      std::string("invalid JSON: ") + e.what());
  }
  if (!parsed) {
    // nlohmann counts bytes from 1.
    SourceLoc loc = SourceLoc::OfOffset(doc, sax.error_byte > 0 ? sax.error_byte - 1 : 0, file);
    const std::string& what = sax.error;
    size_t p = what.find("syntax error");
    if (p == std::string::npos) p = what.find("number overflow");
    return Status::At(StatusCode::kMalformed, loc,
                      "invalid JSON: " + (p == std::string::npos ? what : what.substr(p)));
  }
  // Readers use only non-throwing accessors (find/contains/is_*), but be safe at the boundary.
  try {
    switch (DetectCephJson(j)) {
      case CephJsonKind::kHealth:
        stats->kind = CephInputKind::kHealthJson;
        return ReadCephHealthJson(j, file, sink, doc, &stats->malformed_lines);
      case CephJsonKind::kOsdNetwork:
        stats->kind = CephInputKind::kOsdNetwork;
        return ReadCephOsdNetwork(j, file, sink);
      case CephJsonKind::kOsdDump:
        stats->kind = CephInputKind::kOsdDump;
        return ReadCephOsdDump(j, file, sink);
      case CephJsonKind::kOsdTree:
        stats->kind = CephInputKind::kOsdTree;
        return ReadCephOsdTree(j, file, sink);
      case CephJsonKind::kOsdMetadata:
        stats->kind = CephInputKind::kOsdMetadata;
        return ReadCephOsdMetadata(j, file, sink);
      case CephJsonKind::kUnknown:
        if (IsCephLogJson(j)) {
          stats->kind = CephInputKind::kLogJson;
          return ReadCephLogJson(j, file, sink, doc, &stats->malformed_lines);
        }
        break;
    }
  } catch (const nlohmann::json::exception& e) {
    return Status::At(StatusCode::kMalformed, {file, 0, 0},
                      std::string("unexpected JSON structure: ") + e.what());
  }
  return Status::At(StatusCode::kUnrecognized, {file, 1, 1},
                    "JSON that is not a Ceph health, dump_osd_network, osd dump, osd tree, "
                    "osd metadata or `ceph log last` document");
}

// Counts events for stats while forwarding them.
class CountingSink : public CephSink {
 public:
  CountingSink(CephSink* inner, CephInputStats* stats) : inner_(inner), stats_(stats) {}
  void OnEvent(const CephEvent& e) override {
    ++stats_->events;
    inner_->OnEvent(e);
  }
  void OnOsdInfo(const CephOsdInfo& i) override { inner_->OnOsdInfo(i); }
  void OnWarning(const Diagnostic& d) override { inner_->OnWarning(d); }

 private:
  CephSink* inner_;
  CephInputStats* stats_;
};

}  // namespace

Status ReadCephInput(LineReader* reader, CephSink* sink_in, CephInputStats* stats) {
  *stats = CephInputStats();
  CountingSink sink(sink_in, stats);
  const std::string& file = reader->name();
  std::string_view line;
  // Find the first non-blank line to decide the kind.
  bool have = false;
  while (reader->Next(&line)) {
    ++stats->lines;
    if (!text::Trim(line).empty()) {
      have = true;
      break;
    }
  }
  if (!have) {
    KW_RETURN_IF_ERROR(reader->status());
    stats->kind = CephInputKind::kEmpty;
    // An error, as in ping-log: an empty file given as evidence is a wrong path or a capture
    // that failed, and "healthy" would say the cluster was looked at.
    return Status::At(StatusCode::kUnrecognized, {file, 0, 0},
                      stats->lines == 0 ? "empty input: no Ceph log, health or JSON in it"
                                        : "only blank lines: no Ceph log, health or JSON in it");
  }
  if (LooksLikeJson(line)) {
    // Until a reader claims it: a document that does not parse, or is no Ceph document, is
    // listed as JSON (with its error), not as empty.
    stats->kind = CephInputKind::kJson;
    Status st = ReadJson(reader, std::string(line), &sink, stats);
    stats->bytes = reader->decoded_bytes();
    return st;
  }
  stats->kind =
      text::Trim(line).starts_with("HEALTH_") ? CephInputKind::kHealthText : CephInputKind::kLog;
  CephLineParser parser(file);
  CephEvent event;
  int warned = 0;
  int malformed_warned = 0;
  bool first = true;
  while (first || reader->Next(&line)) {
    if (!first) ++stats->lines;
    first = false;
    if (reader->saw_nul()) {
      return Status::At(StatusCode::kUnrecognized, {file, reader->line_number(), 0},
                        "NUL byte: a binary file, not a Ceph log");
    }
    switch (parser.Parse(line, reader->line_number(), &event)) {
      case CephLineClass::kEvent:
        sink.OnEvent(event);
        break;
      case CephLineClass::kOther:
        ++stats->other_lines;
        break;
      case CephLineClass::kContinuation:
        ++stats->continuation_lines;
        break;
      case CephLineClass::kBlank:
        break;
      case CephLineClass::kMalformed:
        ++stats->malformed_lines;
        if (malformed_warned < kMaxCephLineWarnings) {
          ++malformed_warned;
          sink.OnWarning({{file, reader->line_number(), 0},
                          "line looks like " + parser.malformed() + "; skipped: \"" +
                              EscapeForMessage(line) + "\""});
        }
        break;
      case CephLineClass::kUnknown:
        ++stats->unknown_lines;
        if (warned < kMaxCephLineWarnings) {
          ++warned;
          sink.OnWarning(
              {{file, reader->line_number(), 0},
               "not a Ceph log or health line, skipped: \"" + EscapeForMessage(line) + "\""});
        }
        break;
    }
    if (reader->last_line_truncated()) {
      sink.OnWarning({{file, reader->line_number(), 0},
                      "line longer than 1 MiB, only its first 1 MiB was read"});
    }
  }
  stats->bytes = reader->decoded_bytes();
  // A read error (a cut .gz) comes after the summaries below: the lines read before it were
  // given to the sink and are reported with the error, not thrown away.
  Status read = reader->status();
  if (stats->malformed_lines > malformed_warned) {
    sink.OnWarning({{file, 0, 0},
                    std::to_string(stats->malformed_lines) +
                        " lines looked like Ceph messages kiriwake uses but did not "
                        "parse, and were skipped"});
  }
  if (stats->unknown_lines > warned) {
    sink.OnWarning({{file, 0, 0},
                    std::to_string(stats->unknown_lines) +
                        " lines were not Ceph log or health lines and were skipped"});
  }
  KW_RETURN_IF_ERROR(read);
  if (stats->events == 0 && stats->other_lines == 0 && stats->malformed_lines == 0 &&
      stats->unknown_lines > 0) {
    return Status::At(StatusCode::kUnrecognized, {file, 0, 0},
                      "no line is a Ceph log, health or JSON line (`ceph osd dump/tree/metadata` "
                      "are read in their `-f json` form)");
  }
  return Status::Ok();
}

}  // namespace kiriwake::ingest
