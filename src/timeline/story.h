// timeline/story.h: the incident told as one chain, like a colleague's post-mortem: first symptom,
// root cause, effects in order across layers, side chains (hardware fault -> reboot), co-located
// events the chain does not explain (named coincident, with what would link them), what was tried
// and ruled out, time to detect, clock skew, and the episodes the events fall into.
// StoryBuilder keeps only notable events (tagged or >= warning; at most kMaxNotable) and counts
// probe replies, so memory stays small on multi-GB inputs. The root cause is pluggable: a
// StoryInput may carry a localization verdict (component + probability, from infer/localize*);
// without one the story picks the network-loss target its own events point at.
// Plugging in other verbs' evidence (for the lead): anything that can be said as an Event feeds
// Add(): ping-log sessions as "probe_lost"/"probe_reply" events with the target as first subject,
// Ceph health findings as "ceph_slow_ping"/"ceph_failure_report"/... with "osd.N" and the address
// in `subjects`, agent observations likewise; the topology feeds ComponentMap (StoryInput::map and
// FileSourceOptions::map); infer/localize's answer is StoryInput::verdict.
// Not thread-safe; Build is const and may be called more than once.
#ifndef KIRIWAKE_TIMELINE_STORY_H_
#define KIRIWAKE_TIMELINE_STORY_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "timeline/component_map.h"
#include "timeline/event.h"
#include "timeline/skew.h"

namespace kiriwake::timeline {

struct LocalizationVerdict {
  std::string component;     // topology id, e.g. "cable:esxi2-allied" or "vm:ceph4"
  double probability = 0;    // 0..1, as infer/localize reports it
  std::vector<std::string> keys;  // addresses/names that identify it in log lines (may be empty)
};

struct StoryInput {
  std::optional<LocalizationVerdict> verdict;
  const ComponentMap* map = nullptr;
};

// One line of evidence, pointing at its raw line.
struct StoryRef {
  TimePoint time{};
  std::string host;
  std::string text;
  SourceLoc loc;
};

struct RootCause {
  std::string basis;        // "localization verdict" or "network-loss events"
  std::string target;       // the address or component the evidence names
  std::vector<std::string> components;  // from the ComponentMap: "vm:ceph4", "host:esxi2", ...
  std::string host;         // the physical host behind it ("esxi2"), "" when unknown
  std::optional<double> probability;   // from the verdict
  std::string summary;      // "network loss toward 192.168.100.114 (vm:ceph4 on host:esxi2, ...)"
  uint64_t probes_lost = 0, probes_answered = 0, failure_reports = 0, link_downs = 0;
  std::vector<StoryRef> evidence;  // first few
};

struct StoryStep {
  std::string stage;  // "Ceph heartbeats slow or missed", ...
  Layer layer = Layer::kStorage;
  TimePoint first{}, last{};
  uint64_t count = 0;
  std::vector<std::string> hosts;
  StoryRef example;
};

struct SideChain {
  std::string host;
  std::vector<StoryRef> steps;  // fault ... reboot
};

struct Coincidence {
  StoryRef event;
  std::string tag;
  std::string why_not_cause;
  std::string would_link;
};

struct TriedAction {
  std::string what;  // "swap turned off"
  TimePoint time{};
  std::vector<std::string> hosts;
  SourceLoc loc;
  bool ruled_out = false;
  std::string outcome;
};

struct Episode {
  TimePoint start{}, end{};
  uint64_t events = 0;
  Severity worst = Severity::kInfo;
  std::vector<std::string> hosts;
  std::vector<std::string> tags;  // by count, most first
};

struct Story {
  std::optional<RootCause> root_cause;
  std::optional<StoryRef> first_symptom;
  std::vector<StoryStep> effects;
  std::vector<SideChain> side_chains;
  std::vector<Coincidence> coincident;
  std::vector<TriedAction> tried;
  std::optional<StoryRef> detected;     // first event that accuses the root cause
  std::optional<StoryRef> first_hint;   // first event naming it at all
  std::optional<std::chrono::seconds> time_to_detect;
  std::optional<StoryRef> resolved;
  std::vector<SkewEstimate> skew;
  std::vector<Episode> episodes;
  uint64_t notable_events = 0;
  uint64_t notable_dropped = 0;  // beyond kMaxNotable: counted, not kept
};

class StoryBuilder {
 public:
  // Notable events kept in memory for the story; ~1 KiB each, so 200k is ~200 MiB at most.
  static constexpr size_t kMaxNotable = 200000;
  // A quiet time longer than this starts a new episode: Ceph re-raises a health warning every
  // few minutes while it lasts, so 20 min of nothing means the trouble paused.
  static constexpr std::chrono::minutes kEpisodeGap{20};

  void Add(const Event& ev);
  Story Build(const StoryInput& input) const;

 private:
  std::vector<Event> notable_;
  uint64_t dropped_ = 0;
  // probe replies per (observer host, target), counted without keeping the events
  std::map<std::pair<std::string, std::string>, uint64_t> replies_;
  SkewEstimator skew_;
};

// True when `ev` is kept for the story (tagged other than raw/probe_reply, or >= warning).
bool IsNotable(const Event& ev);

}  // namespace kiriwake::timeline

#endif  // KIRIWAKE_TIMELINE_STORY_H_
