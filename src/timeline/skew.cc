#include "timeline/skew.h"

#include <algorithm>
#include <cmath>

#include "timeline/line_format.h"
#include "util/text.h"

namespace kiriwake::timeline {

namespace {
// "osd.3" or "osdN" word after `marker` in `msg`.
std::string OsdAfter(std::string_view msg, std::string_view marker) {
  size_t at = msg.find(marker);
  if (at == std::string_view::npos) return {};
  std::vector<std::string> subjects;
  ExtractSubjects(msg.substr(at + marker.size()), &subjects);
  for (const auto& s : subjects) {
    if (s.starts_with("osd.")) return s;
  }
  return {};
}
}  // namespace

void SkewEstimator::Add(const Event& ev) {
  if (ev.time_uncertain || ev.host.empty()) return;
  if (ev.tag == "ceph_heartbeat_miss") {
    // "osd.1 1157 heartbeat_check: no reply from 192.168.100.114:6806 osd.3 since back ..."
    std::string reporter = OsdAfter(ev.message, "");
    std::string target = OsdAfter(ev.message, "no reply from");
    if (reporter.empty() || target.empty() || reporter == target) return;
    std::string key = reporter + ">" + target;
    if (!osd_first_.count(key)) osd_first_[key] = Seen{ev.time, ev.host, ev.loc};
  } else if (ev.tag == "ceph_failure_report") {
    // "prepare_failure osd.3 192.168.100.114:6802/1928 from osd.1 192.168.100.112:6800/2325 ..."
    std::string target = OsdAfter(ev.message, "prepare_failure");
    std::string reporter = OsdAfter(ev.message, " from ");
    if (reporter.empty() || target.empty()) return;
    std::string key = reporter + ">" + target;
    if (!mon_first_.count(key)) mon_first_[key] = Seen{ev.time, ev.host, ev.loc};
  }
}

std::vector<SkewEstimate> SkewEstimator::Estimates() const {
  // Group pairs by (osd host, mon host); the estimate is the median of the pairs' offsets.
  std::map<std::pair<std::string, std::string>, std::vector<std::pair<double, std::string>>> groups;
  std::map<std::pair<std::string, std::string>, std::pair<SourceLoc, SourceLoc>> example;
  for (const auto& [key, osd] : osd_first_) {
    auto m = mon_first_.find(key);
    if (m == mon_first_.end() || osd.host == m->second.host) continue;
    double off = std::chrono::duration<double>(osd.time - m->second.time).count();
    auto g = std::make_pair(osd.host, m->second.host);
    groups[g].emplace_back(off, key);
    if (!example.count(g)) example[g] = {osd.loc, m->second.loc};
  }
  std::vector<SkewEstimate> out;
  for (auto& [g, offs] : groups) {
    std::sort(offs.begin(), offs.end());
    SkewEstimate e;
    e.host = g.first;
    e.reference_host = g.second;
    e.offset_s = offs[offs.size() / 2].first;
    e.pairs = static_cast<int>(offs.size());
    e.skewed = std::fabs(e.offset_s) > kSkewThresholdS;
    std::string k = offs[offs.size() / 2].second;
    std::string reporter = k.substr(0, k.find('>'));
    e.basis = reporter + " heartbeat_check (" + e.host + ") -> mon prepare_failure (" +
              e.reference_host + ")";
    e.cause_loc = example[g].first;
    e.effect_loc = example[g].second;
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace kiriwake::timeline
