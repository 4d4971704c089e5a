// The registry of line formats, in detection priority order: when two formats read the same
// number of a file's first lines, the earlier wins (specific shapes before general ones).
#include "timeline/line_format.h"

namespace kiriwake::timeline {

const std::vector<LineFormat>& LineFormats() {
  static const std::vector<LineFormat> kFormats = {
      {SourceKind::kJournalJson, ParseJournalJsonLine, Layer::kHypervisor},
      {SourceKind::kSyslog5424, ParseSyslog5424Line, Layer::kHypervisor},
      {SourceKind::kEsxi, ParseEsxiLine, Layer::kHypervisor},
      {SourceKind::kCeph, ParseCephLine, Layer::kStorage},
      {SourceKind::kPostgres, ParsePostgresLine, Layer::kApplication},
      {SourceKind::kJournalShortIso, ParseJournalShortIsoLine, Layer::kHypervisor},
      {SourceKind::kSyslog, ParseSyslogLine, Layer::kHypervisor},
      {SourceKind::kDmesg, ParseDmesgLine, Layer::kHypervisor},
      {SourceKind::kIpmiSel, ParseIpmiSelLine, Layer::kHardware},
      {SourceKind::kIloIml, ParseIloImlLine, Layer::kHardware},
      {SourceKind::kFping, ParseFpingLine, Layer::kNetwork},
      {SourceKind::kPing, ParsePingLine, Layer::kNetwork},
      {SourceKind::kContainerLog, ParseContainerLogLine, Layer::kApplication},
  };
  return kFormats;
}

const LineFormat* FindLineFormat(SourceKind kind) {
  for (const auto& f : LineFormats()) {
    if (f.kind == kind) return &f;
  }
  return nullptr;
}

}  // namespace kiriwake::timeline
