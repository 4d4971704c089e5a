// `kubectl get events -o json`: {"apiVersion":"v1","items":[{...Event...}],"kind":"List"}.
// Each Event gives one timeline event at firstTimestamp (eventTime for events.k8s.io-style
// objects), and a second at lastTimestamp when it repeated (count > 1), so a BackOff that went on
// for hours spans its hours. nlohmann-json's exceptions are caught here (the adapter).
#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "timeline/line_format.h"
#include "util/json_field.h"
#include "util/text.h"

namespace kiriwake::timeline {

namespace {

bool ParseRfc3339(const std::string& s, TimePoint* t) {
  std::string_view v = s;
  Civil c;
  bool has_off = false;
  int32_t off = 0;
  if (!ConsumeIsoTimestamp(&v, &c, &has_off, &off, false) || !has_off || !CivilValid(c)) {
    return false;
  }
  *t = FromUtcCivil(c, off);
  return true;
}

}  // namespace

Result<std::vector<Event>> ParseKubeEventsDocument(std::string_view doc, const std::string& file,
                                                   std::vector<Diagnostic>* warnings) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(doc);
  } catch (const nlohmann::json::parse_error& e) {
    return Status::At(
        StatusCode::kMalformed, SourceLoc::OfOffset(doc, e.byte > 0 ? e.byte - 1 : 0, file),
        fmt::format("expected a JSON document from kubectl get events -o json: {}", e.what()));
  } catch (const nlohmann::json::exception& e) {
    return Status::At(StatusCode::kMalformed, SourceLoc{file, 0, 0}, e.what());
  }
  const nlohmann::json* items = nullptr;
  if (j.is_object() && j.contains("items") && j["items"].is_array()) {
    items = &j["items"];
  } else if (j.is_array()) {
    items = &j;
  }
  if (items == nullptr) {
    return Status::At(StatusCode::kUnrecognized, SourceLoc{file, 1, 1},
                      "expected a kubectl List with \"items\" (kubectl get events -o json)");
  }
  // Where each item starts, so that a warning about one names its line and column.
  std::vector<size_t> offsets = JsonArrayElementOffsets(doc, j.is_array() ? "" : "items");
  if (offsets.size() != items->size()) offsets.clear();  // cannot happen for parsed JSON
  OffsetLocator locate(doc, file);
  auto warn_item = [&](uint64_t index, std::string message) {
    if (warnings == nullptr) return;
    SourceLoc loc = offsets.empty() ? SourceLoc{file, 0, 0} : locate.At(offsets[index - 1]);
    warnings->push_back(Diagnostic{std::move(loc), fmt::format("item {}: {}", index, message)});
  };
  std::vector<Event> out;
  uint64_t index = 0;
  for (const auto& it : *items) {
    ++index;
    if (!it.is_object()) {
      // One odd item is not a reason to lose the list's other events: said, and left out.
      warn_item(index, fmt::format("expected an Event object, saw {}; left out", it.type_name()));
      continue;
    }
    // The event's time: firstTimestamp, else eventTime (events.k8s.io), else lastTimestamp. A
    // value that is there but unreadable is said (never read as "no time": that put the event at
    // 1970), and the next one is tried.
    TimePoint t1, t2;
    std::string first, last = JsonString(it, "lastTimestamp");
    bool have_t1 = false, any_time = false;
    std::string fallback_note;
    const char* used = "";
    for (const char* field : {"firstTimestamp", "eventTime", "lastTimestamp"}) {
      std::string value = JsonString(it, field);
      if (value.empty()) continue;
      any_time = true;
      if (ParseRfc3339(value, &t1)) {
        have_t1 = true;
        first = value;
        used = field;
        break;
      }
      warn_item(index,
                fmt::format("{} \"{}\" is not an RFC 3339 time", field, EscapeForMessage(value)));
      if (fallback_note.empty()) fallback_note = fmt::format("{} unreadable", field);
    }
    if (any_time && !have_t1) {
      warn_item(index,
                "no readable firstTimestamp, eventTime or lastTimestamp; the event is left out "
                "rather than placed at 1970");
      continue;
    }
    if (last.empty()) last = first;
    std::string kind, name, ns;
    if (auto io = it.find("involvedObject"); io != it.end() && io->is_object()) {
      kind = JsonString(*io, "kind");
      name = JsonString(*io, "name");
      ns = JsonString(*io, "namespace");
    }
    std::string host;
    if (auto src = it.find("source"); src != it.end() && src->is_object()) {
      host = JsonString(*src, "host");
    }
    std::string reason = JsonString(it, "reason");
    std::string type = JsonString(it, "type");
    int64_t count = 1;
    if (auto c = it.find("count"); c != it.end() && c->is_number_integer()) {
      count = c->get<int64_t>();
    }
    Event ev;
    ev.loc = SourceLoc{file, 0, 0};
    ev.seq = index;
    ev.host = host;
    ev.source = SourceKind::kKubeEvents;
    ev.layer = Layer::kOrchestration;
    ev.severity = type == "Warning" ? Severity::kWarning : Severity::kInfo;
    ev.tag = "k8s_" + (reason.empty() ? std::string("event") : reason);
    std::string object = ns.empty() ? name : ns + "/" + name;
    ev.message =
        Utf8(fmt::format("{} {}: {}: {}", kind, object, reason, JsonString(it, "message")));
    ev.raw = ev.message;
    if (!name.empty()) ev.subjects.push_back("pod:" + object);
    ExtractSubjects(JsonString(it, "message"), &ev.subjects);
    if (!have_t1) {
      ev.time_uncertain = true;
      ev.time_note = "item " + std::to_string(index) + " has no firstTimestamp/eventTime";
      t1 = TimePoint{};
    } else if (!fallback_note.empty()) {
      ev.time_uncertain = true;
      ev.time_note = fmt::format("item {}: {}; time of {}", index, fallback_note, used);
    }
    ev.time = t1;
    if (count > 1 && ParseRfc3339(last, &t2) && t2 > t1) {
      Event again = ev;
      again.time = t2;
      again.message += fmt::format(" (x{}, last)", count);
      again.raw = again.message;
      ev.message += fmt::format(" (x{}, first)", count);
      ev.raw = ev.message;
      out.push_back(std::move(ev));
      out.push_back(std::move(again));
    } else {
      out.push_back(std::move(ev));
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Event& a, const Event& b) { return a.time < b.time; });
  return out;
}

}  // namespace kiriwake::timeline
