// cli/timeline_cmd.cc: `kiriwake timeline`: every log on one UTC clock, merged; --story tells the
// incident as a chain. Glue only: the work is in timeline/ and report/timeline_*.
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/verb.h"
#include "report/timeline_render.h"
#include "timeline/inputs.h"
#include "timeline/merge.h"
#include "timeline/skew.h"
#include "timeline/story.h"
#include "util/terminal_safe.h"

namespace kiriwake::cli {

namespace {

struct TimelineArgs {
  std::vector<std::string> inputs;
  std::vector<std::string> tz;
  std::string since, until;
  bool json = false;
  bool story = false;
  size_t reorder_window = 256;
};

constexpr const char* kHelp =
    "Merge logs from every layer onto one UTC clock and, with --story, tell the incident as a "
    "chain: first symptom, root cause, effects in order, coincident events, what was tried, time "
    "to detect, clock skew.\n\n"
    "Formats (detected from each file's first lines; gz/xz/UTF-16/CP932 read transparently): "
    "syslog RFC 3164 and 5424, journalctl -o json and -o short-iso, dmesg -T, ESXi vmkernel/vobd/"
    "hostd/fdm logs, ipmitool sel elist, HPE iLO IML export, kubectl get events -o json, kubectl "
    "logs --timestamps, PostgreSQL server logs, ping -D, fping -D, Ceph daemon and cluster logs. "
    "Lines in no known shape are kept as raw events at the previous line's time, marked uncertain. "
    "A directory stands for its files. A file starting '# kiriwake timeline hints' gives zones, "
    "hosts and topology names (see README).\n\n"
    "Clocks: local times are read in --tz FILE=ZONE, else --tz ZONE, else the hints' zone, else the "
    "machine's zone; each file's assumption is printed. Syslog RFC 3164 has no year: it is taken "
    "from the other files' dates.\n\n"
    "Exit status: 0 nothing at warning or above; 1 the story names a root cause, or events of "
    "severity warning or above were found; 2 an error (usage, unreadable or unrecognised file).";

ExitStatus RunTimeline(const TimelineArgs& a) {
  timeline::InputRequest req;
  req.paths = a.inputs;
  req.reorder_window = a.reorder_window;
  req.keep_raw = a.json && !a.story;  // only the JSON event list prints raw lines
  req.keep_subjects = a.json || a.story;  // the text list prints no subjects or components
  for (const auto& t : a.tz) {
    size_t eq = t.rfind('=');
    if (eq != std::string::npos) {
      if (eq == 0 || eq + 1 == t.size()) {
        PrintError(fmt::format("--tz expects ZONE or FILE=ZONE, saw \"{}\"", t));
        return ExitStatus::kError;
      }
      req.tz_per_file.emplace_back(t.substr(0, eq), t.substr(eq + 1));
    } else if (req.tz) {
      PrintError("--tz ZONE given twice; use --tz FILE=ZONE for per-file zones");
      return ExitStatus::kError;
    } else {
      req.tz = t;
    }
  }
  auto opened = timeline::OpenInputs(req);
  if (!opened.ok()) {
    PrintError(opened.status());
    return ExitStatus::kError;
  }
  timeline::Inputs& in = **opened;
  ExitStatus status = ExitStatus::kOk;
  for (const auto& e : in.errors) {
    PrintError(e);
    status = ExitStatus::kError;
  }
  for (const auto& w : in.warnings) PrintWarning(w.ToString());

  timeline::MergeOptions mopt;
  std::unique_ptr<timeline::Zone> machine;
  const timeline::Zone* arg_zone = in.display_zone;
  if (arg_zone == nullptr) {
    auto z = timeline::Zone::Load("local");
    machine = std::make_unique<timeline::Zone>(z.ok() ? std::move(*z) : timeline::Zone::Fixed(0, "UTC"));
    arg_zone = machine.get();
  }
  for (auto [text, slot] : {std::pair{&a.since, &mopt.since}, std::pair{&a.until, &mopt.until}}) {
    if (text->empty()) continue;
    auto t = timeline::ParseTimeArg(*text, *arg_zone);
    if (!t.ok()) {
      PrintError(t.status());
      return ExitStatus::kError;
    }
    *slot = *t;
  }
  if (mopt.since && mopt.until && *mopt.until < *mopt.since) {
    PrintError("--until is before --since");
    return ExitStatus::kError;
  }
  for (const auto& s : in.sources) {
    if (!s->unrecognized().ok()) {
      PrintError(s->unrecognized());
      status = ExitStatus::kError;
    }
  }

  std::vector<const timeline::FileSource*> srcs;
  for (const auto& s : in.sources) srcs.push_back(s.get());
  timeline::Merger merger(std::move(in.sources), mopt);
  timeline::StoryBuilder story_builder;
  timeline::SkewEstimator skew;
  report::TimelineJsonWriter writer(stdout);
  report::TimelineTextWriter text(stdout, in.display_zone);
  if (a.json) writer.Begin();
  bool warned = false;
  uint64_t total = 0;
  while (const timeline::Event* e = merger.Next()) {
    const timeline::Event& ev = *e;
    ++total;
    if (ev.severity >= timeline::Severity::kWarning) warned = true;
    if (a.story) {
      story_builder.Add(ev);
    } else {
      skew.Add(ev);
      if (a.json) {
        writer.Add(ev);
      } else if (!text.Add(ev)) {
        break;  // closed pipe
      }
    }
  }
  text.Flush();
  nlohmann::json warnings = nlohmann::json::array();
  std::vector<std::string> assumptions;
  for (const auto* s : srcs) {
    if (!s->status().ok()) {
      PrintError(s->status());
      status = ExitStatus::kError;
    }
    for (const auto& w : s->warnings()) {
      PrintWarning(w.ToString());
      warnings.push_back(w.ToString());
    }
    assumptions.push_back(s->Assumption());
  }
  for (const auto& f : in.hints_files) assumptions.push_back(f + ": timeline hints (zones, hosts, topology names)");

  std::optional<timeline::Story> story;
  if (a.story) story = story_builder.Build(timeline::StoryInput{std::nullopt, in.hints_map.get()});
  std::vector<timeline::SkewEstimate> skews = story ? story->skew : skew.Estimates();
  if (a.json) {
    nlohmann::json sources = nlohmann::json::array();
    for (const auto* s : srcs) sources.push_back(report::TimelineSourceJson(*s));
    writer.End(sources, warnings, report::TimelineSkewJson(skews),
               story ? report::TimelineStoryJson(*story) : nlohmann::json(nullptr), total);
  } else {
    std::string out = story ? report::TimelineStoryText(*story, in.display_zone) + "\n" : "\n";
    out += report::TimelineSourcesText(assumptions);
    if (!story && !skews.empty()) {
      out += "Clock skew:\n";
      for (const auto& k : skews) {
        out += fmt::format("  {} is {:+.1f} s from {} ({}; {} pair(s): {})\n",
                           text::TerminalSafe(k.host), k.offset_s,
                           text::TerminalSafe(k.reference_host), k.skewed ? "SKEWED" : "within 1 s",
                           k.pairs, text::TerminalSafe(k.basis));
      }
    }
    out += fmt::format("{} event(s) from {} file(s)\n", total, srcs.size());
    std::fwrite(out.data(), 1, out.size(), stdout);
  }
  bool found = warned || (story && story->root_cause);
  return Worst(status, found ? ExitStatus::kProblemFound : ExitStatus::kOk);
}

}  // namespace

void AddTimelineCommand(CLI::App& app, std::vector<Verb>* verbs) {
  auto args = std::make_shared<TimelineArgs>();
  CLI::App* sub = app.add_subcommand("timeline", kHelp);
  sub->add_option("inputs", args->inputs, "Log files or directories ('-' for stdin)")->required();
  sub->add_flag("--json", args->json, "One JSON document (docs/json.md, ## timeline)");
  sub->add_flag("--story", args->story, "Tell the incident as a post-mortem instead of listing events");
  sub->add_option("--since", args->since, "Keep events at or after T (2020-03-15T10:00+09:00, "
                                          "'2020-03-15 10:00' in the display zone, @EPOCH)");
  sub->add_option("--until", args->until, "Keep events at or before T");
  sub->add_option("--tz", args->tz, "ZONE for every file, or FILE=ZONE for one (IANA name like "
                                    "Asia/Tokyo, or +09:00); repeatable")
      ->allow_extra_args(false);  // one value per --tz, so FILES after it stay positional
  sub->add_option("--reorder-window", args->reorder_window,
                  "Events held per file to sort local disorder (default 256)")
      ->check(CLI::Range(size_t{1}, size_t{1} << 20));
  verbs->push_back({sub, [args] { return RunTimeline(*args); }});
}

}  // namespace kiriwake::cli
