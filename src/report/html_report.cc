#include "report/html_report.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <functional>
#include <map>
#include <set>

#include <fmt/format.h>

#include "util/subprocess.h"
#include "util/text.h"

namespace kiriwake::report {

namespace {

// `s` as text an HTML page may hold: valid UTF-8 (invalid bytes become U+FFFD), and control
// characters, which HTML makes a parse error (C0 but tab, newline and carriage return; DEL; C1),
// replaced by U+FFFD too, so a name or log line with an escape sequence shows where it was.
std::string HtmlText(std::string_view s) {
  std::string v = text::ToValidUtf8(s);
  std::string out;
  out.reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    auto c = static_cast<unsigned char>(v[i]);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
      out += "\xEF\xBF\xBD";
    } else if (c == 0xc2 && i + 1 < v.size() && static_cast<unsigned char>(v[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(v[i + 1]) <= 0x9f) {
      out += "\xEF\xBF\xBD";  // U+0080..U+009F
      ++i;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string Esc(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return HtmlText(out);
}

std::string Pct(uint64_t lost, uint64_t sent) {
  if (sent == 0) return "-";
  return fmt::format("{:.2f}%", 100.0 * static_cast<double>(lost) / static_cast<double>(sent));
}

// Pale green for clean, then from pale orange to deep red as loss approaches 10%.
std::string LossColor(uint64_t lost, uint64_t sent) {
  if (sent == 0) return "#eeeeee";
  if (lost == 0) return "#e3f2e5";
  double x = std::min(1.0, (static_cast<double>(lost) / static_cast<double>(sent)) / 0.10);
  x = std::sqrt(x);  // small losses must already stand out
  auto mix = [&](int a, int b) { return static_cast<int>(a + (b - a) * x); };
  return fmt::format("#{:02x}{:02x}{:02x}", mix(0xff, 0xb7), mix(0xcc, 0x1c), mix(0x80, 0x1c));
}

std::string FormatUtc(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
  return fmt::format("{}.{:03d}Z", buf, static_cast<int>(((ms % 1000) + 1000) % 1000));
}

// "leaf2" before "leaf10": digit runs compare as numbers.
bool NaturalLess(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (text::IsDigit(a[i]) && text::IsDigit(b[j])) {
      size_t i2 = i, j2 = j;
      while (i2 < a.size() && text::IsDigit(a[i2])) ++i2;
      while (j2 < b.size() && text::IsDigit(b[j2])) ++j2;
      std::string_view x(a.data() + i, i2 - i), y(b.data() + j, j2 - j);
      while (x.size() > 1 && x.front() == '0') x.remove_prefix(1);
      while (y.size() > 1 && y.front() == '0') y.remove_prefix(1);
      if (x.size() != y.size()) return x.size() < y.size();
      if (x != y) return x < y;
      i = i2;
      j = j2;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

enum class Mark { kNone, kSuspect, kCulprit, kExonerated, kUnobserved };

std::map<model::ComponentId, Mark> Marks(const HtmlReport& r) {
  std::map<model::ComponentId, Mark> m;
  if (r.localization == nullptr) return m;
  for (auto c : r.localization->unobserved) m[c] = Mark::kUnobserved;
  for (const auto& e : r.localization->exonerated) m[e.component] = Mark::kExonerated;
  bool first = true;
  for (const auto& s : r.localization->suspects) {
    for (auto c : s.components) m[c] = first && s.diagnosed() ? Mark::kCulprit : Mark::kSuspect;
    first = false;
  }
  return m;
}

const char* MarkColor(Mark k) {
  switch (k) {
    case Mark::kCulprit: return "#c62828";
    case Mark::kSuspect: return "#ef6c00";
    case Mark::kExonerated: return "#2e7d32";
    case Mark::kUnobserved: return "#9e9e9e";
    case Mark::kNone: break;
  }
  return "#37474f";
}

std::string HeatmapSvg(const Heatmap& h) {
  size_t n = h.keys.size();
  int cell = static_cast<int>(std::clamp<size_t>(560 / std::max<size_t>(n, 1), 10, 28));
  int label = 130;
  int size = label + cell * static_cast<int>(n) + 10;
  std::map<std::pair<std::string, std::string>, const HeatCell*> at;
  for (const auto& c : h.cells) at[{c.src, c.dst}] = &c;
  std::string s = fmt::format(
      "<svg class=\"heatmap\" data-network=\"{}\" xmlns=\"http://www.w3.org/2000/svg\" "
      "width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"loss heatmap "
      "for network {}\">\n",
      Esc(h.network), size, size, size, size, Esc(h.network));
  int font = std::min(11, cell - 1);
  for (size_t j = 0; j < n; ++j) {
    int x = label + static_cast<int>(j) * cell + cell / 2;
    s += fmt::format(
        "<text x=\"{}\" y=\"{}\" font-size=\"{}\" transform=\"rotate(-60 {} {})\">{}</text>\n", x,
        label - 4, font, x, label - 4, Esc(h.keys[j]));
  }
  for (size_t i = 0; i < n; ++i) {
    int y = label + static_cast<int>(i) * cell;
    s += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"end\">{}</text>\n",
                     label - 4, y + cell * 3 / 4, font, Esc(h.keys[i]));
    for (size_t j = 0; j < n; ++j) {
      int x = label + static_cast<int>(j) * cell;
      auto it = at.find({h.keys[i], h.keys[j]});
      if (it == at.end()) {
        s += fmt::format("<rect class=\"cell none\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" "
                         "fill=\"#f7f7f7\" stroke=\"#ffffff\"/>\n",
                         x, y, cell, cell);
        continue;
      }
      const HeatCell& c = *it->second;
      s += fmt::format(
          "<rect class=\"cell {}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" "
          "stroke=\"#ffffff\" data-src=\"{}\" data-dst=\"{}\" data-lost=\"{}\" data-sent=\"{}\">"
          "<title>{} → {}: {} of {} lost ({})</title></rect>\n",
          c.lost > 0 ? "lossy" : "clean", x, y, cell, cell, LossColor(c.lost, c.sent), Esc(c.src),
          Esc(c.dst), c.lost, c.sent, Esc(c.src), Esc(c.dst), c.lost, c.sent, Pct(c.lost, c.sent));
    }
  }
  s += "</svg>\n";
  return s;
}

// A DOT quoted string. Graphviz decodes HTML entities in labels and tooltips ("&lt;" is drawn
// "<") and keeps entities as they are in the SVG it writes for IDs, so a literal '&' is written
// "&amp;": a host named "a&lt;b" is then drawn and titled "a&lt;b", not "a<b". Invalid UTF-8
// is replaced first: Graphviz would otherwise guess Latin-1 or copy the bytes through.
std::string DotQuote(std::string_view s) {
  std::string out = "\"";
  for (char c : HtmlText(s)) {
    if (c == '&') {
      out += "&amp;";
      continue;
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// The topology as a Graphviz graph; big ones keep only what touches the evidence.
std::string TopologyDot(const HtmlReport& r, const std::map<model::ComponentId, Mark>& marks,
                        std::string* caption) {
  const model::Topology& t = *r.topology;
  auto mark_of = [&](model::ComponentId c) {
    auto it = marks.find(c);
    return it == marks.end() ? Mark::kNone : it->second;
  };
  auto hot = [&](model::ComponentId c) {
    Mark k = mark_of(c);
    return k == Mark::kCulprit || k == Mark::kSuspect;
  };
  size_t nodes = t.hosts().size() + t.vms().size() + t.switches().size();
  bool big = nodes > 150;
  std::set<int32_t> hosts_in, switches_in;
  for (int32_t h = 0; h < static_cast<int32_t>(t.hosts().size()); ++h) {
    const model::Host& host = t.hosts()[h];
    bool keep = !big || hot(host.component) || hot(host.vswitch);
    for (const auto& p : host.ports) {
      keep = keep || hot(p.port) || hot(p.card) || hot(p.driver) || hot(p.cable) ||
             hot(p.peer_port);
    }
    if (!keep) continue;
    hosts_in.insert(h);
    for (const auto& p : host.ports) {
      if (p.peer_switch >= 0) switches_in.insert(p.peer_switch);
    }
  }
  for (int32_t s = 0; s < static_cast<int32_t>(t.switches().size()); ++s) {
    if (!big || hot(t.switches()[s].component) || t.switches().size() <= 60) switches_in.insert(s);
  }
  if (big) {
    *caption = fmt::format(
        "{} of {} hosts and {} of {} switches drawn: those with suspects and their switches.",
        hosts_in.size(), t.hosts().size(), switches_in.size(), t.switches().size());
  }
  std::string d =
      "graph topology {\n"
      "  graph [rankdir=TB, bgcolor=\"transparent\", nodesep=0.35, ranksep=0.9, "
      "fontname=\"DejaVu Sans\"];\n"
      "  node [fontname=\"DejaVu Sans\", fontsize=10, style=\"filled\", fillcolor=\"#ffffff\", "
      "penwidth=1.2];\n"
      "  edge [fontname=\"DejaVu Sans\", fontsize=8];\n";
  for (int32_t s : switches_in) {
    const auto& sw = t.switches()[s];
    Mark k = mark_of(sw.component);
    d += fmt::format("  {} [label={}, shape=box3d, color=\"{}\", fontcolor=\"{}\"{}];\n",
                     DotQuote("sw:" + sw.name), DotQuote(sw.name), MarkColor(k), MarkColor(k),
                     hot(sw.component) ? ", penwidth=3" : "");
  }
  for (int32_t h : hosts_in) {
    const auto& host = t.hosts()[h];
    d += fmt::format("  subgraph {} {{\n    label={}; style=\"rounded\"; color=\"#b0bec5\";\n",
                     DotQuote("cluster_" + host.name), DotQuote(""));
    Mark hk = mark_of(host.component);
    bool inner_hot = hot(host.vswitch);
    for (const auto& p : host.ports) inner_hot = inner_hot || hot(p.card) || hot(p.driver);
    d += fmt::format("    {} [label={}, shape=box, color=\"{}\"{}];\n", DotQuote("h:" + host.name),
                     DotQuote(host.name), MarkColor(inner_hot ? Mark::kSuspect : hk),
                     hot(host.component) || inner_hot ? ", penwidth=3" : "");
    if (!big) {
      for (const auto& vm : t.vms()) {
        if (vm.host != h) continue;
        Mark vk = mark_of(vm.component);
        d += fmt::format("    {} [label={}, shape=ellipse, color=\"{}\"{}];\n",
                         DotQuote("vm:" + vm.name), DotQuote(vm.name), MarkColor(vk),
                         hot(vm.component) ? ", penwidth=3" : "");
        d += fmt::format("    {} -- {} [style=dotted, color=\"#90a4ae\"];\n",
                         DotQuote("vm:" + vm.name), DotQuote("h:" + host.name));
      }
    }
    d += "  }\n";
    for (const auto& p : host.ports) {
      if (p.cable == model::kNoComponent || p.peer_switch < 0 ||
          !switches_in.count(p.peer_switch)) {
        continue;
      }
      Mark ck = mark_of(p.cable);
      bool port_hot = hot(p.port) || hot(p.peer_port);
      std::string peer_port = t.component(p.peer_port).id;
      d += fmt::format(
          "  {} -- {} [label={}, taillabel={}, headlabel={}, color=\"{}\", fontcolor=\"{}\", "
          "labelfontcolor=\"{}\", penwidth={}];\n",
          DotQuote("h:" + host.name), DotQuote("sw:" + t.switches()[p.peer_switch].name),
          DotQuote(t.component(p.cable).id), DotQuote(p.name),
          DotQuote(peer_port.substr(peer_port.rfind(':') + 1)), MarkColor(ck), MarkColor(ck),
          port_hot ? MarkColor(Mark::kSuspect) : "#607d8b", hot(p.cable) ? 3.5 : 1.2);
    }
  }
  std::set<model::ComponentId> drawn;
  for (int32_t s : switches_in) {
    for (const auto& l : t.switches()[s].links) {
      if (!switches_in.count(l.to) || drawn.count(l.cable)) continue;
      drawn.insert(l.cable);
      Mark ck = mark_of(l.cable);
      d += fmt::format("  {} -- {} [label={}, color=\"{}\", penwidth={}];\n",
                       DotQuote("sw:" + t.switches()[s].name),
                       DotQuote("sw:" + t.switches()[l.to].name),
                       DotQuote(t.component(l.cable).id), MarkColor(ck),
                       hot(l.cable) ? 3.5 : 1.2);
    }
  }
  d += "}\n";
  return d;
}

std::string TopologySection(const HtmlReport& r) {
  std::string s = "<section id=\"topology\"><h2>Topology</h2>\n";
  if (r.topology == nullptr) return s + "<p>No topology was given.</p></section>\n";
  auto marks = Marks(r);
  std::string caption;
  std::string dot = TopologyDot(r, marks, &caption);
  std::string svg;
  Status st = RunChecked({"dot", "-Tsvg"}, dot, &svg);
  size_t at = svg.find("<svg");
  if (!st.ok() || at == std::string::npos) {
    s += fmt::format("<p class=\"note\">The drawing needs Graphviz (<code>dot</code>): {}</p>\n",
                     Esc(st.ok() ? "no SVG produced" : st.message()));
  } else {
    // What dot wrote is pasted in as markup: made valid UTF-8 without control characters like
    // every other text of the page (the page says utf-8).
    s += "<div class=\"topo\">" + HtmlText(std::string_view(svg).substr(at)) + "</div>\n";
  }
  s += "<p class=\"legend\"><span style=\"color:#c62828\">■ culprit</span> "
       "<span style=\"color:#ef6c00\">■ suspect</span> "
       "<span style=\"color:#2e7d32\">■ ruled out</span> "
       "<span style=\"color:#9e9e9e\">■ not measured</span> "
       "<span style=\"color:#37474f\">■ clean</span></p>\n";
  if (!caption.empty()) s += "<p class=\"note\">" + Esc(caption) + "</p>\n";
  return s + "</section>\n";
}

std::string TimelineSection(const HtmlReport& r) {
  std::string s = "<section id=\"timeline\"><h2>Timeline</h2>\n";
  if (r.events.empty()) return s + "<p>No timed events among the inputs.</p></section>\n";
  std::vector<const HtmlEvent*> ev;
  for (const auto& e : r.events) ev.push_back(&e);
  std::stable_sort(ev.begin(), ev.end(),
                   [](const HtmlEvent* a, const HtmlEvent* b) { return a->time_ms < b->time_ms; });
  int64_t t0 = ev.front()->time_ms, t1 = ev.back()->time_ms;
  if (t1 == t0) t1 = t0 + 1000;
  std::vector<std::string> rows;
  for (const auto* e : ev) {
    if (std::find(rows.begin(), rows.end(), e->source) == rows.end() && rows.size() < 12) {
      rows.push_back(e->source);
    }
  }
  const int width = 900, left = 150, row_h = 22;
  int height = 40 + row_h * static_cast<int>(rows.size() + 1);
  s += fmt::format(
      "<svg id=\"timeline-svg\" class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" "
      "width=\"100%\" viewBox=\"0 0 {} {}\" preserveAspectRatio=\"none\" role=\"img\" "
      "aria-label=\"timeline of {} events\">\n",
      width + left, height, ev.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    s += fmt::format("<text x=\"4\" y=\"{}\" font-size=\"11\">{}</text>\n",
                     30 + row_h * static_cast<int>(i), Esc(rows[i]));
  }
  s += fmt::format("<text x=\"4\" y=\"{}\" font-size=\"11\">other</text>\n",
                   30 + row_h * static_cast<int>(rows.size()));
  for (int k = 0; k <= 4; ++k) {
    int64_t t = t0 + (t1 - t0) * k / 4;
    int x = left + width * k / 4;
    s += fmt::format("<line x1=\"{0}\" x2=\"{0}\" y1=\"12\" y2=\"{1}\" stroke=\"#e0e0e0\"/>"
                     "<text x=\"{0}\" y=\"10\" font-size=\"9\" text-anchor=\"middle\">{2}</text>\n",
                     x, height - 5, Esc(FormatUtc(t).substr(11, 8)));
  }
  for (const auto* e : ev) {
    auto it = std::find(rows.begin(), rows.end(), e->source);
    int row = it == rows.end() ? static_cast<int>(rows.size()) : static_cast<int>(it - rows.begin());
    double x = left + width * static_cast<double>(e->time_ms - t0) / static_cast<double>(t1 - t0);
    const char* color = e->severity == "error"     ? "#c62828"
                        : e->severity == "warning" ? "#ef6c00"
                                                   : "#546e7a";
    s += fmt::format("<circle class=\"event\" cx=\"{:.1f}\" cy=\"{}\" r=\"4\" fill=\"{}\">"
                     "<title>{} {}: {}</title></circle>\n",
                     x, 26 + row_h * row, color, Esc(FormatUtc(e->time_ms)), Esc(e->source),
                     Esc(e->text));
  }
  s += "</svg>\n";
  s += fmt::format("<p class=\"note\">{} to {} (UTC). <span class=\"js-only\">Zoom: "
                   "<button type=\"button\" data-zoom=\"0.5\">+</button> "
                   "<button type=\"button\" data-zoom=\"2\">−</button> "
                   "<button type=\"button\" data-zoom=\"0\">reset</button></span></p>\n",
                   Esc(FormatUtc(t0)), Esc(FormatUtc(t1)));
  constexpr size_t kMaxRows = 2000;
  s += "<table class=\"events\"><thead><tr><th>time (UTC)</th><th>source</th><th>severity</th>"
       "<th>event</th><th>raw line</th></tr></thead><tbody>\n";
  for (size_t i = 0; i < ev.size() && i < kMaxRows; ++i) {
    const HtmlEvent& e = *ev[i];
    s += fmt::format("<tr id=\"event-{}\" class=\"{}\"><td>{}</td><td>{}</td><td>{}</td>"
                     "<td>{}</td><td><code>{}</code></td></tr>\n",
                     i, Esc(e.severity), Esc(FormatUtc(e.time_ms)), Esc(e.source),
                     Esc(e.severity), Esc(e.text), Esc(e.where));
  }
  s += "</tbody></table>\n";
  if (ev.size() > kMaxRows) {
    s += fmt::format("<p class=\"note\">{} more events not listed.</p>\n", ev.size() - kMaxRows);
  }
  return s + "</section>\n";
}

std::string EvidenceSection(const HtmlReport& r) {
  std::string s = "<section id=\"evidence\"><h2>Evidence</h2>\n";
  if (r.observations == nullptr || r.topology == nullptr || r.observations->empty()) {
    return s + "<p>No path measurements.</p></section>\n";
  }
  const auto& obs = *r.observations;
  std::vector<size_t> order(obs.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto ratio = [&](size_t i) {
    return obs[i].sent ? static_cast<double>(obs[i].lost) / static_cast<double>(obs[i].sent) : 0;
  };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return ratio(a) > ratio(b); });
  constexpr size_t kMaxRows = 2000;
  s += "<table class=\"evidence\"><thead><tr><th>from</th><th>to</th><th>network</th><th>sent</th>"
       "<th>lost</th><th>loss</th><th>source</th></tr></thead><tbody>\n";
  for (size_t k = 0; k < order.size() && k < kMaxRows; ++k) {
    size_t i = order[k];
    const auto& o = obs[i];
    std::string net = o.network >= 0 ? r.topology->networks()[o.network].name : "";
    std::string where = i < r.observation_origins.size() ? r.observation_origins[i] : o.loc.ToString();
    s += fmt::format("<tr id=\"obs-{}\" class=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
                     "<td>{}</td><td>{}</td><td><code>{}</code></td></tr>\n",
                     i, o.lost > 0 ? "lossy" : "clean", Esc(r.topology->EndpointName(o.src)),
                     Esc(r.topology->EndpointName(o.dst)), Esc(net), o.sent, o.lost,
                     Pct(o.lost, o.sent), Esc(where));
  }
  s += "</tbody></table>\n";
  if (obs.size() > kMaxRows) {
    s += fmt::format("<p class=\"note\">{} more measurements not listed (the heatmaps include "
                     "them).</p>\n",
                     obs.size() - kMaxRows);
  }
  return s + "</section>\n";
}

std::string SuspectsSection(const HtmlReport& r) {
  if (r.localization == nullptr || r.topology == nullptr) return "";
  const auto& L = *r.localization;
  std::string s = "<section id=\"suspects\"><h2>Suspects and next tests</h2>\n";
  if (L.widespread_loss_ratio > 0) {
    s += fmt::format(
        "<p class=\"note\">Loss is widespread: most measured paths lost packets (the median path "
        "{:.2f}%), where the {:.2f}% background allowed would touch few. Either this network "
        "loses that much everywhere (rerun with <code>--background-loss {:.4g}</code>), or its "
        "paths share something the topology does not show.</p>\n",
        L.widespread_loss_ratio * 100, L.background_loss_ratio * 100, L.widespread_loss_ratio);
  }
  if (L.suspects.empty()) {
    s += "<p>No component is suspected.</p>\n";
  } else {
    s += "<table class=\"suspects\"><thead><tr><th>components (cannot be split)</th>"
         "<th>probability</th><th>own loss</th><th>lossy paths</th><th>weak paths</th>"
         "<th>clean paths</th>"
         "<th>examples</th></tr></thead><tbody>\n";
    for (const auto& sp : L.suspects) {
      std::string ids;
      for (size_t i = 0; i < sp.components.size(); ++i) {
        ids += i == 0                        ? ""
               : i == sp.identical_members() ? "; as well given the other culprits: "
                                             : ", ";
        ids += r.topology->component(sp.components[i]).id;
      }
      std::string ex;
      for (auto e : sp.evidence.examples) ex += fmt::format("<a href=\"#obs-{0}\">#{0}</a> ", e);
      s += fmt::format(
          "<tr class=\"{}\"><td>{}</td><td>{:.1f}%</td><td>{:.2f}%</td><td>{}</td>"
          "<td>{}</td><td>{}</td><td>{}</td></tr>\n",
          sp.diagnosed() ? "diagnosed" : "possible", Esc(ids), sp.probability * 100,
          sp.loss_ratio_estimate * 100, sp.evidence.lossy_paths, sp.evidence.weak_paths,
          sp.evidence.clean_paths, ex);
    }
    s += "</tbody></table>\n";
  }
  if (!L.next_tests.empty()) {
    s += "<ol class=\"next\">\n";
    for (const auto& t : L.next_tests) {
      s += fmt::format("<li>{} <span class=\"note\">(expected gain {:.2f} bits)</span></li>\n",
                       Esc(t.action), t.expected_gain_bits);
    }
    s += "</ol>\n";
  }
  return s + "</section>\n";
}

constexpr const char* kCss = R"(
body{font-family:"DejaVu Sans",system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:16px;color:#263238}
h1{font-size:1.4em;margin:0 0 8px} h2{font-size:1.15em;border-bottom:1px solid #cfd8dc;padding-bottom:4px;margin-top:28px}
.verdict{border-left:6px solid #c62828;background:#ffebee;padding:12px 16px;font-size:1.1em}
.verdict.clean{border-color:#2e7d32;background:#e8f5e9}
.culprit{font-family:monospace;font-size:1.2em;font-weight:bold}
.note{color:#607d8b;font-size:.9em} table{border-collapse:collapse;font-size:.85em;margin:8px 0}
td,th{border:1px solid #e0e0e0;padding:3px 6px;text-align:left;vertical-align:top}
tr.lossy td{background:#fff3e0} tr.diagnosed td{background:#ffebee}
.heatmaps{display:flex;flex-wrap:wrap;gap:24px} .heatmaps figure{margin:0}
.topo svg{max-width:100%;height:auto} svg.timeline{border:1px solid #eceff1;background:#fafafa}
pre.story{background:#fafafa;border:1px solid #eceff1;padding:10px;white-space:pre-wrap}
.js-only{display:none} .has-js .js-only{display:inline}
)";

// Zoom for the timeline: shrinks or widens the viewBox around its centre. Optional: without it
// the page shows everything.
constexpr const char* kScript = R"(
(function(){
  document.documentElement.classList.add('has-js');
  var svg=document.getElementById('timeline-svg'); if(!svg){return;}
  var base=svg.getAttribute('viewBox').split(' ').map(Number), vb=base.slice();
  document.querySelectorAll('button[data-zoom]').forEach(function(b){
    b.addEventListener('click',function(){
      var f=Number(b.getAttribute('data-zoom'));
      if(f===0){vb=base.slice();}else{var c=vb[0]+vb[2]/2;vb[2]=Math.min(base[2],vb[2]*f);vb[0]=Math.max(0,c-vb[2]/2);}
      svg.setAttribute('viewBox',vb.join(' '));
    });
  });
})();
)";

}  // namespace

std::vector<Heatmap> BuildHeatmaps(const model::Topology& t,
                                   const std::vector<model::Observation>& observations) {
  std::map<int32_t, std::vector<const model::Observation*>> by_net;
  for (const auto& o : observations) {
    if (o.network >= 0) by_net[o.network].push_back(&o);
  }
  std::vector<Heatmap> out;
  for (const auto& entry : by_net) {
    // Named copies, not structured bindings: clang 14 cannot capture those in the lambdas below.
    const int32_t net = entry.first;
    const std::vector<const model::Observation*>& obs = entry.second;
    Heatmap h;
    h.network = t.networks()[net].name;
    // Coarser and coarser keys until the matrix fits.
    std::function<std::string(model::Endpoint)> key;
    auto distinct = [&](const std::function<std::string(model::Endpoint)>& f) {
      std::set<std::string> s;
      for (const auto* o : obs) {
        s.insert(f(o->src));
        s.insert(f(o->dst));
      }
      return s.size();
    };
    auto by_endpoint = [&](model::Endpoint e) { return t.EndpointName(e); };
    auto by_host = [&](model::Endpoint e) { return t.hosts()[t.EndpointHost(e)].name; };
    auto by_switch = [&](model::Endpoint e) {
      int32_t host = t.EndpointHost(e);
      const auto* ups = t.Uplinks(host, net);
      if (ups != nullptr && !ups->empty()) {
        int32_t sw = t.hosts()[host].ports[ups->front()].peer_switch;
        if (sw >= 0) return t.switches()[sw].name;
      }
      return t.hosts()[host].name;
    };
    if (distinct(by_endpoint) <= kMaxHeatmapKeys) {
      key = by_endpoint;
      h.level = "endpoint";
    } else if (distinct(by_host) <= kMaxHeatmapKeys) {
      key = by_host;
      h.level = "host";
    } else {
      key = by_switch;
      h.level = "switch";
    }
    std::map<std::pair<std::string, std::string>, HeatCell> cells;
    std::map<std::string, uint64_t> lost_by_key;
    for (const auto* o : obs) {
      std::string a = key(o->src), b = key(o->dst);
      HeatCell& c = cells[{a, b}];
      c.src = a;
      c.dst = b;
      c.sent += o->sent;
      c.lost += o->lost;
      lost_by_key[a] += o->lost;
      lost_by_key[b] += o->lost;
    }
    // Still too many (a huge fabric): keep the lossiest keys, fold the rest into "other".
    std::set<std::string> keep;
    if (lost_by_key.size() > kMaxHeatmapKeys) {
      std::vector<std::pair<uint64_t, std::string>> ranked;
      for (const auto& [k, l] : lost_by_key) ranked.emplace_back(l, k);
      std::sort(ranked.rbegin(), ranked.rend());
      for (size_t i = 0; i + 1 < kMaxHeatmapKeys; ++i) keep.insert(ranked[i].second);
      std::map<std::pair<std::string, std::string>, HeatCell> folded;
      for (const auto& [k, c] : cells) {
        std::string a = keep.count(c.src) ? c.src : "other";
        std::string b = keep.count(c.dst) ? c.dst : "other";
        HeatCell& f = folded[{a, b}];
        f.src = a;
        f.dst = b;
        f.sent += c.sent;
        f.lost += c.lost;
      }
      cells = std::move(folded);
      h.level += "+other";
    }
    std::set<std::string> keys;
    for (const auto& [k, c] : cells) {
      keys.insert(c.src);
      keys.insert(c.dst);
      h.cells.push_back(c);
    }
    h.keys.assign(keys.begin(), keys.end());
    std::sort(h.keys.begin(), h.keys.end(), NaturalLess);
    out.push_back(std::move(h));
  }
  return out;
}

std::string RenderHtmlReport(const HtmlReport& r) {
  std::string s = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  s += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  s += "<title>" + Esc(r.title) + "</title>\n<style>" + kCss + "</style></head>\n<body>\n";
  s += "<h1>" + Esc(r.title) + "</h1>\n";
  s += fmt::format("<div id=\"verdict\" class=\"verdict{}\">", r.culprit.empty() ? " clean" : "");
  if (!r.culprit.empty()) {
    s += "Culprit: <span class=\"culprit\">" + Esc(r.culprit) + "</span><br>";
  }
  s += Esc(r.verdict) + "</div>\n";
  if (!r.generated_at.empty()) {
    s += "<p class=\"note\">Generated by kiriwake at " + Esc(r.generated_at) + ".</p>\n";
  }
  s += SuspectsSection(r);
  s += "<section id=\"heatmap\"><h2>Loss by source and destination</h2>\n";
  if (r.topology != nullptr && r.observations != nullptr && !r.observations->empty()) {
    s += "<div class=\"heatmaps\">\n";
    for (const Heatmap& h : BuildHeatmaps(*r.topology, *r.observations)) {
      s += fmt::format("<figure><figcaption>network <b>{}</b> (rows send, columns answer; one "
                       "row per {})</figcaption>\n",
                       Esc(h.network), Esc(h.level));
      s += HeatmapSvg(h) + "</figure>\n";
    }
    s += "</div>\n";
  } else {
    s += "<p>No path measurements.</p>\n";
  }
  s += "</section>\n";
  s += TopologySection(r);
  if (!r.story.empty()) {
    s += "<section id=\"story\"><h2>The incident</h2>\n<pre class=\"story\">" + Esc(r.story) +
         "</pre></section>\n";
  }
  s += TimelineSection(r);
  s += EvidenceSection(r);
  if (!r.inputs.empty()) {
    s += "<section id=\"inputs\"><h2>Inputs</h2>\n<table><thead><tr><th>kind</th><th>file</th>"
         "<th>what</th></tr></thead><tbody>\n";
    for (const auto& in : r.inputs) {
      s += fmt::format("<tr><td>{}</td><td><code>{}</code></td><td>{}</td></tr>\n", Esc(in.kind),
                       Esc(in.path), Esc(in.detail));
    }
    s += "</tbody></table></section>\n";
  }
  s += "<script>" + std::string(kScript) + "</script>\n</body></html>\n";
  return s;
}

}  // namespace kiriwake::report
