// report/ceph_text.cc: the human report of `kiriwake ceph` (see report/ceph_report.h).
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include <fmt/format.h>

#include "report/ceph_report.h"
#include "util/terminal_safe.h"

namespace kiriwake::report {

using infer::CephEndpoint;
using infer::CephFinding;
using ingest::CephInterface;
using ingest::kNoTime;

namespace {

// civil_from_days (Howard Hinnant), the inverse of the parser's DaysFromCivil.
void CivilFromDays(int64_t z, int* y, int* m, int* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = static_cast<int>(yy + (*m <= 2));
}

// fping's sprint_tm: three significant digits, at most three decimals.
std::string Ms(double ms) {
  if (ms < 0) return "-";
  if (ms >= 100) return fmt::format("{:.0f}", ms);
  if (ms >= 10) return fmt::format("{:.1f}", ms);
  if (ms >= 1) return fmt::format("{:.2f}", ms);
  return fmt::format("{:.3f}", ms);
}

// Names, addresses and messages from the cluster's logs and dumps reach the terminal: escaped
// (util/terminal_safe.h). CephSuspectLine stays raw, as JSON uses it too.
std::string Safe(std::string_view s) { return text::TerminalSafe(s); }

std::string OsdName(int id) { return id < 0 ? "osd.?" : fmt::format("osd.{}", id); }

std::string Pad(const std::string& s, size_t w) {
  return s.size() >= w ? s : s + std::string(w - s.size(), ' ');
}
std::string PadLeft(const std::string& s, size_t w) {
  return s.size() >= w ? s : std::string(w - s.size(), ' ') + s;
}

std::string Matrix(const CephFinding& f, CephInterface iface) {
  std::map<std::pair<int, int>, const infer::CephPairStat*> cells;
  std::set<int> rows, cols;
  for (const auto& p : f.pairs) {
    if (p.iface != iface || !p.slow()) continue;
    cells[{p.from_osd, p.to_osd}] = &p;
    rows.insert(p.from_osd);
    cols.insert(p.to_osd);
  }
  if (cells.empty()) return {};
  std::string out = fmt::format(
      "slow heartbeats on {} ({} network), longest ping in ms; rows ping, columns answer:\n",
      ingest::CephInterfaceName(iface), iface == CephInterface::kBack ? "cluster" : "public");
  size_t w = 8;
  for (const auto& [k, p] : cells) w = std::max(w, Ms(p->max_ms).size() + 2);
  out += "  " + Pad("", 8);
  for (int c : cols) out += PadLeft(OsdName(c), w);
  out += "\n";
  for (int r : rows) {
    out += "  " + Pad(OsdName(r), 8);
    for (int c : cols) {
      auto it = cells.find({r, c});
      out += PadLeft(it == cells.end() ? "." : Ms(it->second->max_ms), w);
    }
    out += "\n";
  }
  return out;
}

}  // namespace

std::string FormatCephTime(int64_t ms) {
  if (ms == kNoTime) return "-";
  int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  int64_t rem = ms - secs * 1000;
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int64_t sod = secs - days * 86400;
  int y, m, d;
  CivilFromDays(days, &y, &m, &d);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03}Z", y, m, d, sod / 3600,
                     (sod / 60) % 60, sod % 60, rem);
}

std::string CephSuspectLine(const CephEndpoint& ep) {
  std::string s = OsdName(ep.osd);
  if (!ep.host.empty()) s += " on " + ep.host;
  if (!ep.address.empty()) s += " (" + ep.address + ")";
  if (ep.iface != CephInterface::kUnknown) {
    s += fmt::format(", {} interface", ingest::CephInterfaceName(ep.iface));
  } else {
    s += ", interface unknown";
  }
  std::vector<std::string> parts;
  if (ep.slow_pairs_total) {
    parts.push_back(fmt::format("in {}/{} slow pairs", ep.slow_pairs_with, ep.slow_pairs_total));
  }
  if (ep.failure_reports_total) {
    parts.push_back(
        fmt::format("{}/{} failure reports", ep.failure_reports_with, ep.failure_reports_total));
  }
  if (ep.no_reply_total) {
    parts.push_back(
        fmt::format("{}/{} heartbeat no-reply pairs", ep.no_reply_with, ep.no_reply_total));
  }
  if (ep.slow_op_owners_total) {
    parts.push_back(
        fmt::format("{}/{} slow-op owners", ep.slow_op_owners_with, ep.slow_op_owners_total));
  }
  if (ep.down_total) parts.push_back(fmt::format("{}/{} OSDs down", ep.down_with, ep.down_total));
  for (size_t i = 0; i < parts.size(); ++i) s += (i ? ", " : ": ") + parts[i];
  if (ep.in_every_slow_pair()) s += "; no slow pair without it";
  return s;
}

std::string RenderCephText(const CephFinding& f, const std::vector<CephInputSummary>& in) {
  std::string out;
  if (!f.problem) {
    out += "healthy: no slow heartbeats, failure reports, slow ops or down OSDs in the input\n";
  } else if (f.ranking.empty()) {
    out += "problem found, but no OSD in common to the evidence\n";
  } else {
    const CephEndpoint& top = f.ranking.front();
    out += "suspect  " + Safe(CephSuspectLine(top)) + "\n";
    if (!top.iface_reason.empty()) out += "         interface: " + Safe(top.iface_reason) + "\n";
    if (!top.address.empty()) {
      out += fmt::format("         address {} is on the {} network\n", Safe(top.address),
                         Safe(top.address_network));
    }
    for (size_t i = 1; i < f.ranking.size() && i < 4; ++i) {
      const CephEndpoint& ep = f.ranking[i];
      out += fmt::format("  then   {} ({}/{} of the evidence)\n", Safe(CephSuspectLine(ep)),
                         ep.explained, ep.evidence);
    }
  }
  if (f.start_ms != kNoTime) {
    out += fmt::format("time     {} .. {} ({:.0f} s)\n", FormatCephTime(f.start_ms),
                       FormatCephTime(f.end_ms), (f.end_ms - f.start_ms) / 1000.0);
  }
  if (!f.checks.empty()) {
    out += "checks\n";
    size_t w = 0;
    for (const auto& c : f.checks) w = std::max(w, Safe(c.code).size());
    for (const auto& c : f.checks) {
      std::string counts;
      if (c.raised) counts += fmt::format(" raised {}", c.raised);
      if (c.updated) counts += fmt::format(" updated {}", c.updated);
      if (c.cleared) counts += fmt::format(" cleared {}", c.cleared);
      if (c.snapshots) counts += fmt::format(" listed {}", c.snapshots);
      out += fmt::format(
          "  {}  first {}  last {} {}{}{}\n", Pad(Safe(c.code), w), FormatCephTime(c.first_ms),
          FormatCephTime(c.last_ms), c.active ? "active " : "cleared", counts,
          c.max_ping_ms >= 0 ? fmt::format(" longest {} ms", Ms(c.max_ping_ms)) : std::string());
      if (!c.last_summary.empty()) {
        out += fmt::format("  {}  {}\n", Pad("", w), Safe(c.last_summary));
      }
    }
  }
  out += Matrix(f, CephInterface::kBack);
  out += Matrix(f, CephInterface::kFront);
  if (!f.failures.empty()) {
    out += "failure reports (reporter -> reported)\n";
    for (const auto& x : f.failures) {
      out += fmt::format("  {} -> {}  {} report{}{}\n", OsdName(x.reporter_osd),
                         OsdName(x.target_osd), x.reports, x.reports == 1 ? "" : "s",
                         x.canceled ? fmt::format(", {} canceled", x.canceled) : std::string());
    }
  }
  if (!f.no_replies.empty()) {
    out += "heartbeat_check no reply (reporter -> silent peer)\n";
    for (const auto& x : f.no_replies) {
      out += fmt::format("  {} -> {} ({})  {} lines, back silent longer in {}, front in {}\n",
                         OsdName(x.reporter_osd), OsdName(x.peer_osd), Safe(x.peer_addr), x.lines,
                         x.back_stale, x.front_stale);
    }
  }
  if (!f.slow_ops.empty()) {
    out += "slow-op owners\n";
    for (const auto& x : f.slow_ops) {
      std::string line =
          fmt::format("  {}  {} report{}", Safe(x.daemon), x.reports, x.reports == 1 ? "" : "s");
      if (x.max_ops > 0) line += fmt::format(", up to {} ops", x.max_ops);
      if (x.max_blocked_sec >= 0) line += fmt::format(", blocked up to {:.0f} s", x.max_blocked_sec);
      if (!x.failure_targets.empty()) {
        line += ", failure ops against";
        for (int t : x.failure_targets) line += " " + OsdName(t);
      }
      out += line + "\n";
      if (!x.example.empty()) out += "    oldest: " + Safe(x.example.substr(0, 160)) + "\n";
    }
  }
  if (!f.osd_states.empty()) {
    out += "osd state changes\n";
    for (const auto& x : f.osd_states) {
      out += fmt::format("  {}  down {}, wrongly marked down {}, boot {}\n", OsdName(x.osd), x.down,
                         x.wrongly_marked_down, x.boots);
    }
  }
  if (!f.osds.empty()) {
    out += "osds\n";
    for (const auto& o : f.osds) {
      std::string host = !o.hostname.empty() ? o.hostname : o.crush_host;
      out += fmt::format("  {}  host {}  public {}  cluster {}\n", Pad(OsdName(o.id), 7),
                         host.empty() ? "?" : Safe(host),
                         o.public_ip.empty() ? "?" : Safe(o.public_ip),
                         o.cluster_ip.empty() ? "?" : Safe(o.cluster_ip));
    }
  }
  out += "inputs\n";
  for (const auto& i : in) {
    out += fmt::format("  {}  {}{}, {} lines, {} events", Safe(i.file),
                       ingest::CephInputKindName(i.stats.kind), i.failed ? " (error)" : "",
                       i.stats.lines, i.stats.events);
    if (i.stats.continuation_lines) {
      out += fmt::format(", {} continuation lines", i.stats.continuation_lines);
    }
    if (i.stats.unknown_lines) out += fmt::format(", {} unknown lines", i.stats.unknown_lines);
    if (i.stats.malformed_lines) {
      out += fmt::format(", {} damaged (warned)", i.stats.malformed_lines);
    }
    out += "\n";
  }
  return out;
}

}  // namespace kiriwake::report
