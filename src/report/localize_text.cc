#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "report/localize_report.h"
#include "util/terminal_safe.h"

namespace kiriwake::report {
namespace {

std::string Percent(double ratio) {
  double p = ratio * 100;
  // Three significant digits, like fping's sprint_tm.
  if (p >= 100) return "100%";
  if (p >= 10) return fmt::format("{:.1f}%", p);
  return fmt::format("{:.2f}%", p);
}

// Names come from the topology file (any valid UTF-8 but ':' and '/'): escaped for the terminal
// (util/terminal_safe.h).
std::string Safe(std::string_view s) { return text::TerminalSafe(s); }

std::string Id(const model::Topology& t, model::ComponentId c) { return Safe(t.component(c).id); }

std::string Described(const model::Topology& t, model::ComponentId c) {
  const model::Component& comp = t.component(c);
  std::string kind(model::ComponentKindName(comp.kind));
  std::replace(kind.begin(), kind.end(), '_', ' ');
  if (comp.kind == model::ComponentKind::kCable && !comp.medium.empty()) {
    return fmt::format("{} ({} cable)", Safe(comp.id), Safe(comp.medium));
  }
  return fmt::format("{} ({})", Safe(comp.id), kind);
}

std::string Example(const LocalizeReport& r, uint32_t idx) {
  const model::Observation& o = r.observations[idx];
  return fmt::format("{} -> {} on {}: {} of {} lost ({})", Safe(r.topology.EndpointName(o.src)),
                     Safe(r.topology.EndpointName(o.dst)),
                     Safe(r.topology.networks()[o.network].name), o.lost, o.sent,
                     Percent(static_cast<double>(o.lost) / static_cast<double>(o.sent)));
}

}  // namespace

std::string LocalizeText(const LocalizeReport& r) {
  const infer::LocalizeResult& res = r.result;
  const model::Topology& t = r.topology;
  std::string out;
  if (res.suspects.empty()) {
    if (res.lossy_paths == 0) {
      out += fmt::format(
          "All clean: {} measured path{}, none losing more than background ({}). Nothing to "
          "blame.\n",
          res.paths, res.paths == 1 ? "" : "s", Percent(res.background_loss_ratio));
    } else {
      out += fmt::format(
          "Loss seen on {} of {} paths, but no component explains it well enough to name. "
          "Measure more pairs (below) or longer.\n",
          res.lossy_paths, res.paths);
    }
  }
  if (res.widespread_loss_ratio > 0) {
    // Said first: it qualifies every verdict below.
    out += fmt::format(
        "Loss is widespread: most measured paths lost packets (the median path {}), where the "
        "background allowed ({}) would touch few. Either this network loses that much "
        "everywhere (rerun with --background-loss {:.4g}), or the paths share something the "
        "topology does not show. The culprits below are the topology's best account of it.\n",
        Percent(res.widespread_loss_ratio), Percent(res.background_loss_ratio),
        res.widespread_loss_ratio);
  }
  int n = 0;
  for (const infer::Suspect& s : res.suspects) {
    ++n;
    const char* verdict = s.diagnosed() ? (n == 1 ? "Culprit" : "Also faulty") : "Possible";
    if (s.components.size() > 3) {
      // A large group is not one culprit: say so, then name the likeliest member.
      out += fmt::format("{}: one of {} components no measurement separates — {:.0f}% likely, "
                         "dropping about {} of the packets crossing it; likeliest {}\n",
                         verdict, s.components.size(), s.probability * 100,
                         Percent(s.loss_ratio_estimate), Described(t, s.components[0]));
    } else {
      out += fmt::format("{}: {} — {:.0f}% likely, dropping about {} of the packets crossing "
                         "it\n", verdict, Described(t, s.components[0]), s.probability * 100,
                         Percent(s.loss_ratio_estimate));
    }
    if (s.identical_members() > 1) {
      out += "  or, since no measurement separates them:";
      for (size_t i = 1; i < s.identical_members(); ++i) {
        out += fmt::format("{} {}", i == 1 ? "" : ",", Described(t, s.components[i]));
      }
      out += "\n";
    }
    if (s.alike_given_others > 0) {
      // Not path-identical: these explain the same loss only together with the other culprits
      // (a card under two lossy cables, for one of them); the priors alone put them last.
      out += "  or, as well given the other culprits:";
      for (size_t i = s.identical_members(); i < s.components.size(); ++i) {
        out += fmt::format("{} {}", i == s.identical_members() ? "" : ",",
                           Described(t, s.components[i]));
      }
      out += "\n";
    }
    if (s.evidence.weak_paths == 0) {
      out += fmt::format("  why: it lies on {} lossy path{} and on {} clean one{}\n",
                         s.evidence.lossy_paths, s.evidence.lossy_paths == 1 ? "" : "s",
                         s.evidence.clean_paths, s.evidence.clean_paths == 1 ? "" : "s");
    } else {
      out += fmt::format(
          "  why: it lies on {} lossy path{}, {} more with some loss (too little to count on "
          "{} own) and {} clean one{}\n",
          s.evidence.lossy_paths, s.evidence.lossy_paths == 1 ? "" : "s", s.evidence.weak_paths,
          s.evidence.weak_paths == 1 ? "its" : "their", s.evidence.clean_paths,
          s.evidence.clean_paths == 1 ? "" : "s");
    }
    for (uint32_t i : s.evidence.examples) {
      if (i < r.observations.size()) out += fmt::format("    {}\n", Example(r, i));
    }
  }
  // Ruled out: the components that carried lossy traffic but are cleared by clean paths.
  std::vector<model::ComponentId> near, explained;
  int64_t cleared = 0;
  for (const infer::Exonerated& e : res.exonerated) {
    if (e.lossy_paths > 0 && e.clean_paths > 0) {
      near.push_back(e.component);
    } else if (e.lossy_paths > 0) {
      explained.push_back(e.component);
    } else {
      ++cleared;
    }
  }
  if (!near.empty()) {
    out += "Ruled out (on lossy paths, but clean traffic crosses them too):\n";
    size_t shown = std::min<size_t>(near.size(), 20);
    for (size_t i = 0; i < shown; ++i) out += fmt::format("  {}\n", Described(t, near[i]));
    if (near.size() > shown) out += fmt::format("  ... and {} more\n", near.size() - shown);
  }
  if (!explained.empty() && !res.suspects.empty()) {
    out += "Not needed (only on lossy paths the suspects above already explain):";
    size_t shown = std::min<size_t>(explained.size(), 20);
    for (size_t i = 0; i < shown; ++i) {
      out += fmt::format("{} {}", i ? "," : "", Id(t, explained[i]));
    }
    if (explained.size() > shown) out += fmt::format(" ... and {} more", explained.size() - shown);
    out += "\n";
  }
  if (cleared > 0 && !res.suspects.empty()) {
    out += fmt::format("Cleared: {} other component{} on clean paths only.\n", cleared,
                       cleared == 1 ? "" : "s");
  }
  if (!res.unobserved.empty() && res.unobserved.size() <= 12 && !res.suspects.empty()) {
    out += "Not measured (no observed path crosses them):";
    for (size_t i = 0; i < res.unobserved.size(); ++i) {
      out += fmt::format("{} {}", i ? "," : "", Id(t, res.unobserved[i]));
    }
    out += "\n";
  } else if (!res.unobserved.empty() && !res.suspects.empty()) {
    out += fmt::format("Not measured: {} components no observed path crosses.\n",
                       res.unobserved.size());
  }
  if (!res.next_tests.empty()) {
    out += "Next:\n";
    int i = 0;
    for (const infer::NextTest& nt : res.next_tests) {
      out += fmt::format("  {}. {} (splits off", ++i, Safe(nt.action));
      for (size_t k = 0; k < nt.splits.size(); ++k) {
        out += fmt::format("{} {}", k ? "," : "", Id(t, nt.splits[k]));
      }
      out += fmt::format("; expected gain {:.2f} bits)\n", nt.expected_gain_bits);
    }
  }
  int64_t named = 0;
  for (const infer::Suspect& s : res.suspects) named += s.diagnosed();
  out += fmt::format("Summary: {} path{} measured, {} lossy", res.paths, res.paths == 1 ? "" : "s",
                     res.lossy_paths);
  if (res.weak_paths > 0) out += fmt::format(", {} with some loss", res.weak_paths);
  out += fmt::format("; {} culprit{} named", named, named == 1 ? "" : "s");
  if (named > 0 && res.lossy_paths == 0) {
    // Said outright: the verdict adds up small losses no single path shows beyond doubt.
    out += " on weak evidence alone (measure longer to confirm)";
  }
  if (res.unexplained_lossy_paths > 0) {
    out += fmt::format("; {} lossy path{} unexplained", res.unexplained_lossy_paths,
                       res.unexplained_lossy_paths == 1 ? "" : "s");
  }
  out += ".\n";
  return out;
}

}  // namespace kiriwake::report
