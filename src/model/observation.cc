// The nlohmann-json adapter for model/observation.h: json exceptions are caught here.
#include "model/observation.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ingest/line_reader.h"
#include "model/path.h"
#include "util/text.h"

namespace kiriwake::model {
namespace {

using nlohmann::json;

struct Resolved {
  Endpoint endpoint;
  int32_t network = -1;  // implied by an address, else -1
};

class Parser {
 public:
  Parser(const Topology& t, const ObservationOptions& o, std::string source)
      : topology_(t), options_(o), source_(std::move(source)), paths_(t) {}

  // Adds one observation or returns why not.
  Status Line(std::string_view line, int64_t line_no, ObservationSet* out) {
    SourceLoc loc{source_, line_no, 1};
    // nlohmann keeps the last of two equal keys: {"lost": 9, "lost": 0} would read as clean. The
    // top-level keys are counted as they are parsed; fewer members than keys means a repeat.
    size_t top_keys = 0;
    json::parser_callback_t count_keys = [&top_keys](int depth, json::parse_event_t event, json&) {
      top_keys += depth == 1 && event == json::parse_event_t::key;
      return true;
    };
    json j = json::parse(line.begin(), line.end(), count_keys, false);
    if (j.is_discarded()) {
      // Parse again with exceptions to learn where it broke (only on the error path).
      try {
        json discard = json::parse(line.begin(), line.end());
        (void)discard;
      } catch (const json::parse_error& e) {
        loc.column = static_cast<int64_t>(e.byte);
      } catch (const std::exception&) {
      }
      return Status::Malformed(loc,
                               "a JSON object like {\"src\", \"dst\", \"network\", "
                               "\"sent\", \"lost\"}",
                               line);
    }
    if (!j.is_object()) return Status::Malformed(loc, "a JSON object", line);
    if (top_keys != j.size()) return RepeatedKey(line, loc);
    Observation o;
    o.loc = loc;
    std::string src_text, dst_text;
    if (j.contains("src")) {
      if (!j["src"].is_string()) return Status::Malformed(loc, "\"src\" as a string", line);
      src_text = j["src"].get<std::string>();
    } else if (!options_.src.empty()) {
      src_text = options_.src;
    } else {
      return Status::At(StatusCode::kMalformed, loc, "missing \"src\" (or give --src NAME)");
    }
    if (!j.contains("dst") || !j["dst"].is_string()) {
      return Status::At(StatusCode::kMalformed, loc, "missing \"dst\" (a name or an address)");
    }
    dst_text = j["dst"].get<std::string>();
    std::string network;
    // null is what `probe --json` writes without --network: the same as leaving it out.
    if (j.contains("network") && !j["network"].is_null()) {
      if (!j["network"].is_string()) return Status::Malformed(loc, "\"network\" as a string", line);
      network = j["network"].get<std::string>();
    }
    KW_ASSIGN_OR_RETURN(uint64_t sent, Count(j, "sent", loc));
    if (j.contains("lost")) {
      KW_ASSIGN_OR_RETURN(o.lost, Count(j, "lost", loc));
    } else if (j.contains("received")) {
      KW_ASSIGN_OR_RETURN(uint64_t received, Count(j, "received", loc));
      if (received > sent) {
        return Status::At(StatusCode::kMalformed, loc,
                          fmt::format("received {} is more than sent {}", received, sent));
      }
      o.lost = sent - received;
    } else {
      return Status::At(StatusCode::kMalformed, loc, "missing \"lost\" (or \"received\")");
    }
    o.sent = sent;
    if (o.lost > o.sent) {
      return Status::At(StatusCode::kMalformed, loc,
                        fmt::format("lost {} is more than sent {}", o.lost, o.sent));
    }
    if (o.sent == 0) {
      return Status::At(StatusCode::kMalformed, loc, "sent is 0: a measurement needs probes");
    }
    for (const char* k : {"start", "end"}) {
      if (j.contains(k) && !j[k].is_null()) {
        if (!j[k].is_string()) {
          return Status::Malformed(loc, fmt::format("\"{}\" as a time string", k), line);
        }
        (k[0] == 's' ? o.start : o.end) = j[k].get<std::string>();
      }
    }
    if (j.contains("route") && !j["route"].is_null()) {
      if (!j["route"].is_array()) {
        return Status::Malformed(loc, "\"route\" as a list of component ids", line);
      }
      for (const json& id : j["route"]) {
        auto c = id.is_string() ? topology_.FindComponent(id.get<std::string>()) : std::nullopt;
        if (!c) {
          return Status::At(StatusCode::kNotFound, loc,
                            fmt::format("\"route\" names unknown component {}",
                                        EscapeForMessage(id.dump(-1, ' ', false,
                                                                 json::error_handler_t::replace))));
        }
        o.route.push_back(*c);
      }
    }
    if (j.contains("rtt_ms") && !j["rtt_ms"].is_null()) {
      if (!j["rtt_ms"].is_number() || !(j["rtt_ms"].get<double>() >= 0)) {
        return Status::Malformed(loc, "\"rtt_ms\" as a non-negative number", line);
      }
      o.rtt_ms = j["rtt_ms"].get<double>();
    }
    KW_RETURN_IF_ERROR(Finish(src_text, dst_text, network, loc, &o));
    out->observations.push_back(std::move(o));
    return Status::Ok();
  }

  Status PingLog(const json& doc, ObservationSet* out) {
    if (options_.src.empty()) {
      return Status::Usage(fmt::format(
          "{}: a ping-log --json document does not say who sent the pings; give --src NAME",
          source_));
    }
    const json& sessions = doc["sessions"];
    if (!sessions.is_array()) {
      return Status::At(StatusCode::kMalformed, SourceLoc{source_, 0, 0},
                        "expected \"sessions\" to be a list");
    }
    for (size_t i = 0; i < sessions.size(); ++i) {
      // The document is pretty-printed: positions are not lines, so the session index locates.
      SourceLoc loc{fmt::format("{}: sessions[{}]", source_, i), 0, 0};
      Status s = Session(sessions[i], loc, out);
      if (!s.ok()) {
        if (!options_.lenient) return s;
        out->warnings.push_back({s.loc(), s.message()});
        ++out->skipped_lines;
      }
    }
    return Status::Ok();
  }

 private:
  Status Session(const json& s, const SourceLoc& loc, ObservationSet* out) {
    if (!s.is_object()) return Status::At(StatusCode::kMalformed, loc, "expected an object");
    std::string dst;
    if (s.contains("target") && s["target"].is_object()) {
      const json& t = s["target"];
      if (t.contains("address") && t["address"].is_string() &&
          topology_.FindAddress(t["address"].get<std::string>())) {
        dst = t["address"].get<std::string>();
      } else if (t.contains("name") && t["name"].is_string()) {
        dst = t["name"].get<std::string>();
      } else if (t.contains("address") && t["address"].is_string()) {
        dst = t["address"].get<std::string>();
      }
    }
    if (dst.empty()) {
      return Status::At(StatusCode::kMalformed, loc,
                        "expected \"target\": {\"name\", \"address\"}");
    }
    Observation o;
    o.loc = loc;
    KW_ASSIGN_OR_RETURN(o.sent, Count(s, "transmitted", loc));
    KW_ASSIGN_OR_RETURN(o.lost, Count(s, "lost_count", loc));
    if (o.lost > o.sent) {
      return Status::At(StatusCode::kMalformed, loc,
                        fmt::format("lost_count {} is more than transmitted {}", o.lost, o.sent));
    }
    if (o.sent == 0) return Status::At(StatusCode::kMalformed, loc, "transmitted is 0");
    KW_RETURN_IF_ERROR(Finish(options_.src, dst, "", loc, &o));
    out->observations.push_back(std::move(o));
    return Status::Ok();
  }

  // The error for a line with a key given twice (the slow path: parsed again to name it).
  Status RepeatedKey(std::string_view line, const SourceLoc& loc) {
    std::vector<std::string> keys;
    std::string repeated;
    json::parser_callback_t note = [&](int depth, json::parse_event_t event, json& parsed) {
      if (depth == 1 && event == json::parse_event_t::key && parsed.is_string()) {
        const std::string& k = parsed.get_ref<const std::string&>();
        if (std::find(keys.begin(), keys.end(), k) == keys.end()) {
          keys.push_back(k);
        } else if (repeated.empty()) {
          repeated = k;
        }
      }
      return true;
    };
    json again = json::parse(line.begin(), line.end(), note, false);
    (void)again;
    return Status::At(StatusCode::kMalformed, loc,
                      fmt::format("key \"{}\" given twice", EscapeForMessage(repeated)));
  }

  Result<uint64_t> Count(const json& j, const char* key, const SourceLoc& loc) {
    if (!j.contains(key)) {
      return Status::At(StatusCode::kMalformed, loc, fmt::format("missing \"{}\"", key));
    }
    const json& v = j[key];
    // 10^15 probes is 31 years at a million a second. The cap keeps every count exact as a
    // double and lets a flow's repeated observations be summed without wrapping.
    constexpr uint64_t kMaxCount = 1'000'000'000'000'000;
    if (v.is_number_unsigned()) {
      if (v.get<uint64_t>() <= kMaxCount) return v.get<uint64_t>();
    } else if (v.is_number_integer()) {
      return Status::At(StatusCode::kMalformed, loc,
                        fmt::format("\"{}\" is negative ({})", key, v.get<int64_t>()));
    }
    if (v.is_number_float()) {
      double d = v.get<double>();
      if (d < 0) {
        return Status::At(StatusCode::kMalformed, loc,
                          fmt::format("\"{}\" is negative ({})", key, d));
      }
      if (d == std::floor(d) && d <= static_cast<double>(kMaxCount))
        return static_cast<uint64_t>(d);
    }
    return Status::At(
        StatusCode::kMalformed, loc,
        fmt::format("expected \"{}\" to be a whole number up to 10^15, saw {}", key,
                    EscapeForMessage(v.dump(-1, ' ', false, json::error_handler_t::replace))));
  }

  Result<Resolved> Resolve(const std::string& text, const SourceLoc& loc) {
    if (auto e = topology_.FindEndpoint(text)) return Resolved{*e, -1};
    if (auto a = topology_.FindAddress(text)) return Resolved{a->first, a->second};
    return Status::At(StatusCode::kNotFound, loc,
                      fmt::format("unknown host, VM or address \"{}\" (not in {})",
                                  EscapeForMessage(text), topology_.source_name()));
  }

  Status Finish(const std::string& src, const std::string& dst, const std::string& network,
                const SourceLoc& loc, Observation* o) {
    KW_ASSIGN_OR_RETURN(Resolved s, Resolve(src, loc));
    KW_ASSIGN_OR_RETURN(Resolved d, Resolve(dst, loc));
    int32_t net = -1;
    if (!network.empty()) {
      auto n = topology_.FindNetwork(network);
      if (!n) {
        return Status::At(StatusCode::kNotFound, loc,
                          fmt::format("unknown network \"{}\"", EscapeForMessage(network)));
      }
      net = *n;
    }
    for (const Resolved& r : {s, d}) {
      if (r.network < 0) continue;
      if (net >= 0 && net != r.network) {
        return Status::At(
            StatusCode::kMalformed, loc,
            fmt::format("address of {} is on network {}, not {}",
                        topology_.EndpointName(r.endpoint), topology_.networks()[r.network].name,
                        topology_.networks()[net].name));
      }
      net = r.network;
    }
    if (net < 0) {
      // Names only: the network is implied when the two share exactly one.
      std::vector<int32_t> common;
      for (size_t n = 0; n < topology_.networks().size(); ++n) {
        int32_t ni = static_cast<int32_t>(n);
        if (!topology_.EndpointAddress(s.endpoint, ni).empty() &&
            !topology_.EndpointAddress(d.endpoint, ni).empty()) {
          common.push_back(ni);
        }
      }
      if (common.size() != 1) {
        return Status::At(StatusCode::kMalformed, loc,
                          fmt::format("missing \"network\": {} and {} share {} networks", src, dst,
                                      common.size()));
      }
      net = common[0];
    }
    if (s.endpoint == d.endpoint) {
      return Status::At(StatusCode::kMalformed, loc, fmt::format("src and dst are both {}", src));
    }
    for (const Resolved& r : {s, d}) {
      if (topology_.EndpointAddress(r.endpoint, net).empty()) {
        return Status::At(StatusCode::kNotFound, loc,
                          fmt::format("no path carries {} -> {} on network {}: {} has no "
                                      "address there",
                                      src, dst, topology_.networks()[net].name,
                                      topology_.EndpointName(r.endpoint)));
      }
    }
    if (Status path = paths_.Check(s.endpoint, d.endpoint, net); !path.ok()) {
      return Status::At(StatusCode::kNotFound, loc,
                        fmt::format("no path carries {} -> {} on network {}: {}", src, dst,
                                    topology_.networks()[net].name, path.message()));
    }
    o->src = s.endpoint;
    o->dst = d.endpoint;
    o->network = net;
    return Status::Ok();
  }

  const Topology& topology_;
  const ObservationOptions& options_;
  std::string source_;
  PathFinder paths_;
};

}  // namespace

Result<ObservationSet> ParseObservations(std::string_view text, std::string_view source_name,
                                         const Topology& topology,
                                         const ObservationOptions& options) {
  Parser parser(topology, options, std::string(source_name));
  ObservationSet out;
  std::string_view trimmed = text::TrimLeft(text);
  if (!trimmed.empty() && trimmed.front() == '{') {
    json doc = json::parse(text.begin(), text.end(), nullptr, false);
    if (!doc.is_discarded() && doc.is_object() && doc.contains("sessions")) {
      KW_RETURN_IF_ERROR(parser.PingLog(doc, &out));
      return out;
    }
  }
  int64_t line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line =
        text.substr(pos, nl == std::string_view::npos ? text.size() - pos : nl - pos);
    ++line_no;
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string_view t = text::Trim(line);
    if (t.empty() || t.front() == '#') continue;  // blank lines and comments
    Status s = parser.Line(t, line_no, &out);
    if (!s.ok()) {
      if (!options.lenient || s.code() == StatusCode::kUsage) return s;
      out.warnings.push_back({s.loc(), s.message()});
      ++out.skipped_lines;
    }
  }
  return out;
}

Result<ObservationSet> LoadObservations(const std::string& path, const Topology& topology,
                                        const ObservationOptions& options) {
  KW_ASSIGN_OR_RETURN(std::string text, ingest::ReadTextFile(path, "observations"));
  return ParseObservations(text, path, topology, options);
}

}  // namespace kiriwake::model
