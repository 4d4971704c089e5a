// mtr --report and --json (reference §6; ui/report.c report_open()/report_close()/json_close()).
// mtr keeps no per-probe record in these formats, so each hop becomes one summary-only session
// (hop = its 1-based number): transmitted = Snt, received from Loss% (or Rcv when present), RTTs
// from Best/Avg/Wrst/StDev. Loss at an intermediate hop that does not carry on to the last hop is
// usually a router rate-limiting ICMP, not path loss; kiriwake reports each hop as mtr does.
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ingest/ping_log_internal.h"
#include "util/text.h"

namespace kiriwake::ingest::ping_internal {
namespace {

using text::Consume;

// Largest mtr --json document we collect; a real one is a few KiB per hop.
constexpr size_t kMaxMtrJsonBytes = 8 << 20;

struct HopStats {
  int hop = 0;
  std::string host;
  std::optional<double> loss_percent, sent, rcv, avg, best, worst, stdev;
};

// Drops a value mtr cannot have printed (a hand edit, a damaged file), saying so: a NaN or a
// negative count would otherwise become a garbage uint64_t, 10.7 probes a silent 11, and a loss
// of -50% or 150% a healthy or a total-loss hop. Returns false when the value was dropped.
bool CheckHopValue(SessionBuilder& s, int64_t line, int hop, const char* name,
                   std::optional<double>* v, bool percent) {
  if (!*v) return true;
  double x = **v;
  const char* why = nullptr;
  if (!std::isfinite(x)) {
    why = "not a number";
  } else if (percent && (x < 0 || x > 100)) {
    why = "not a percentage within 0..100";
  } else if (!percent && (x < 0 || x != std::floor(x) || x > static_cast<double>(kMaxProbeId))) {
    why = "not a whole number of probes";
  }
  if (why == nullptr) return true;
  s.Warn(line, fmt::format("hop {}: \"{}\" is {} ({}); ignored", hop, name, x, why));
  v->reset();
  return false;
}

void AddHop(PingParser& p, HopStats h, SourceLoc loc) {
  SessionBuilder s(PingFormat::kMtr, loc, 1, false, p.options());
  s.info().hop = h.hop;
  s.info().target_name = h.host;
  if (LooksLikeAddress(h.host)) s.info().target_address = h.host;
  bool sent_ok = CheckHopValue(s, loc.line, h.hop, "Snt", &h.sent, false);
  bool rcv_ok = CheckHopValue(s, loc.line, h.hop, "Rcv", &h.rcv, false);
  bool loss_ok = CheckHopValue(s, loc.line, h.hop, "Loss%", &h.loss_percent, true);
  if (h.sent && h.rcv && *h.rcv > *h.sent) {
    s.Warn(loc.line, fmt::format("hop {}: \"Rcv\" is {}, more than \"Snt\" ({}); ignored", h.hop,
                                 *h.rcv, *h.sent));
    h.rcv.reset();
    rcv_ok = false;
  }
  if (!h.sent) {
    if (sent_ok) s.Warn(loc.line, "hop has no \"Snt\" column: sent count unknown");
    s.totals_unknown = true;
  } else if (!h.rcv && !h.loss_percent && (!rcv_ok || !loss_ok)) {
    // What was printed for the replies was dropped above: an unknown outcome, not 0% loss.
    s.Warn(loc.line, fmt::format("hop {}: received count unknown; hop not judged", h.hop));
    s.totals_unknown = true;
  } else {
    PingToolTotals t;
    t.loc = loc;
    t.transmitted = static_cast<uint64_t>(std::llround(*h.sent));
    double rx =
        h.rcv ? *h.rcv : (h.loss_percent ? *h.sent * (1.0 - *h.loss_percent / 100.0) : *h.sent);
    t.received = static_cast<uint64_t>(std::llround(std::clamp(rx, 0.0, *h.sent)));
    t.loss_percent = h.loss_percent;
    if (t.received > 0) {
      t.rtt_min_ms = h.best;
      t.rtt_avg_ms = h.avg;
      t.rtt_max_ms = h.worst;
      t.rtt_mdev_ms = h.stdev;
    }
    s.SetTotals(std::move(t));
  }
  p.mtr_hops.push_back(s.Finish());
}

void SetField(HopStats* h, std::string_view title, double v) {
  if (title == "Loss%")
    h->loss_percent = v;
  else if (title == "Snt")
    h->sent = v;
  else if (title == "Rcv")
    h->rcv = v;
  else if (title == "Avg")
    h->avg = v;
  else if (title == "Best")
    h->best = v;
  else if (title == "Wrst")
    h->worst = v;
  else if (title == "StDev")
    h->stdev = v;
}

// "  3.|-- core-sw-02.dc1.example.in 20.0%    10  248.0  17.3   2.1 248.0  77.5"
bool ReportRow(PingParser& p, std::string_view line) {
  std::string_view s = text::TrimLeft(line);
  auto hop = ConsumeDigits(&s);
  if (!hop || !(Consume(&s, ".|-- ") || Consume(&s, ".`-- "))) return false;
  std::vector<std::string_view> words = text::SplitWords(s);
  if (words.empty()) return false;
  HopStats h;
  h.hop = static_cast<int>(std::min<uint64_t>(*hop, 1000));
  h.host = std::string(words[0]);
  for (size_t i = 1; i < words.size() && i - 1 < p.mtr_columns.size(); ++i) {
    std::string_view w = words[i];
    // " 100.0%" overflows its 6-column slot, so the '%' is overwritten ("100.0    10").
    if (w.ends_with("%")) w.remove_suffix(1);
    auto v = text::ParseDouble(w);
    if (!v) {
      p.Warn(fmt::format("mtr column {} is not a number: \"{}\"", p.mtr_columns[i - 1],
                         EscapeForMessage(words[i])));
      continue;
    }
    SetField(&h, p.mtr_columns[i - 1], *v);
  }
  if (words.size() - 1 != p.mtr_columns.size()) {
    p.FileWarn(fmt::format("mtr row has {} values for {} columns", words.size() - 1,
                           p.mtr_columns.size()));
  }
  AddHop(p, h, p.Here());
  return true;
}

// A hub field as a number, quoted or not.
std::optional<double> MtrNumber(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return std::nullopt;
  if (it->is_number()) return it->get<double>();
  // mtr <= 0.93 quoted every value.
  if (it->is_string()) return text::ParseDouble(text::Trim(it->get_ref<const std::string&>()));
  return std::nullopt;
}

void ParseJsonDocument(PingParser& p) {
  SourceLoc loc{p.file(), p.mtr_json_line, 0};
  nlohmann::json doc = nlohmann::json::parse(p.mtr_json, nullptr, /*allow_exceptions=*/false);
  p.mtr_json.clear();
  p.mtr_json.shrink_to_fit();
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("report") ||
      !doc["report"].is_object() || !doc["report"].contains("hubs") ||
      !doc["report"]["hubs"].is_array()) {
    p.FileWarnAt(loc.line, doc.is_discarded()
                               ? "JSON document is not valid JSON, so not mtr --json output"
                               : "JSON document is not mtr --json output (expected "
                                 "{\"report\": {\"hubs\": [...]}})");
    return;
  }
  int n = 0;
  for (const nlohmann::json& hub : doc["report"]["hubs"]) {
    ++n;
    if (!hub.is_object()) {
      p.FileWarnAt(loc.line, fmt::format("hub {} is not an object (expected {{\"host\": ..., "
                                         "\"Loss%\": ...}}); skipped",
                                         n));
      continue;
    }
    HopStats h;
    h.hop = n;
    if (auto c = MtrNumber(hub, "count"); c && std::isfinite(*c)) {
      h.hop = static_cast<int>(std::clamp(*c, 0.0, 1000.0));
    }
    auto host = hub.find("host");
    h.host = host != hub.end() && host->is_string() ? host->get<std::string>() : "???";
    h.loss_percent = MtrNumber(hub, "Loss%");
    h.sent = MtrNumber(hub, "Snt");
    h.rcv = MtrNumber(hub, "Rcv");
    h.avg = MtrNumber(hub, "Avg");
    h.best = MtrNumber(hub, "Best");
    h.worst = MtrNumber(hub, "Wrst");
    h.stdev = MtrNumber(hub, "StDev");
    AddHop(p, h, loc);
  }
  FinishMtrHops(p);
}

}  // namespace

void FinishMtrHops(PingParser& p) {
  // A router that rate-limits the ICMP it generates shows loss at its own hop while every later
  // hop, reached THROUGH it, loses nothing: that loss is not on the path (mtr's FAQ). Such a hop
  // is reported healthy, with a warning saying why; loss that persists to the end stays.
  for (size_t i = 0; i < p.mtr_hops.size(); ++i) {
    PingSession& hop = p.mtr_hops[i];
    if (hop.series.lost_count == 0) continue;
    for (size_t j = i + 1; j < p.mtr_hops.size(); ++j) {
      const PingSession& later = p.mtr_hops[j];
      if (later.series.transmitted > 0 && later.series.lost_count == 0) {
        hop.series.verdict = model::Verdict::kHealthy;
        hop.warnings.push_back(Diagnostic{
            hop.source,
            fmt::format("loss at hop {} does not carry on to hop {} (0% there): the router "
                        "rate-limits ICMP to itself; not loss on the path",
                        hop.hop.value_or(0), later.hop.value_or(0))});
        break;
      }
    }
  }
  for (PingSession& s : p.mtr_hops) p.AddSession(std::move(s));
  p.mtr_hops.clear();
}

void FinishMtrJson(PingParser& p) {
  p.in_mtr_json = false;
  p.FileWarnAt(p.mtr_json_line,
               fmt::format("mtr --json document starting at line {} never ends (file cut?)",
                           p.mtr_json_line));
  p.mtr_json.clear();
}

bool ParseMtrLine(PingParser& p, std::string_view line) {
  if (p.in_mtr_json) {
    // Track brace depth outside strings; mtr host names never contain quotes.
    bool in_str = false, esc = false;
    for (char c : line) {
      if (esc) {
        esc = false;
        continue;
      }
      if (in_str) {
        if (c == '\\')
          esc = true;
        else if (c == '"')
          in_str = false;
        continue;
      }
      if (c == '"')
        in_str = true;
      else if (c == '{')
        ++p.mtr_json_depth;
      else if (c == '}')
        --p.mtr_json_depth;
    }
    if (p.mtr_json.size() + line.size() > kMaxMtrJsonBytes) {
      p.in_mtr_json = false;
      p.mtr_json.clear();
      p.FileWarnAt(p.mtr_json_line,
                   fmt::format("JSON document starting at line {} is larger than {} bytes; skipped",
                               p.mtr_json_line, kMaxMtrJsonBytes));
      return true;
    }
    p.mtr_json.append(line);
    p.mtr_json.push_back('\n');
    if (p.mtr_json_depth <= 0) {
      p.in_mtr_json = false;
      ParseJsonDocument(p);
    }
    return true;
  }
  std::string_view s = text::TrimLeft(line);
  if (s.starts_with("{") && p.current() == nullptr) {
    // "{" alone (mtr's indent 4) or a re-flowed "{ "report": ..." document.
    std::string_view after = text::TrimLeft(s.substr(1));
    if (!after.empty() && !after.starts_with("\"report\"")) return false;
    p.in_mtr_json = true;
    p.mtr_json_depth = 0;
    p.mtr_json_line = p.line_no();
    p.mtr_json.clear();
    return ParseMtrLine(p, line);
  }
  if (line.starts_with("Start: ")) {
    p.CloseCurrent();
    FinishMtrHops(p);
    p.mtr_report = false;
    return true;
  }
  if (line.starts_with("HOST: ")) {
    FinishMtrHops(p);
    std::vector<std::string_view> words = text::SplitWords(line.substr(6));
    p.mtr_columns.clear();
    for (size_t i = 1; i < words.size(); ++i) p.mtr_columns.emplace_back(words[i]);
    p.mtr_report = true;
    p.CloseCurrent();
    return true;
  }
  if (p.mtr_report) {
    if (ReportRow(p, line)) return true;
    // ECMP alternates ("    host") and MPLS labels sit indented under their hop.
    if (line.starts_with("    ")) return true;
    p.mtr_report = false;
    FinishMtrHops(p);
  }
  return false;
}

}  // namespace kiriwake::ingest::ping_internal
