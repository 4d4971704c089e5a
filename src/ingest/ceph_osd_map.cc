#include "ingest/ceph_osd_map.h"

#include <nlohmann/json.hpp>

#include "util/json_field.h"
#include "util/text.h"

namespace kiriwake::ingest {

using nlohmann::json;

std::optional<CephAddr> ParseCephAddr(std::string_view s) {
  s = text::Trim(s);
  CephAddr a;
  for (std::string_view t : {"v1:", "v2:", "any:"}) {
    if (text::Consume(&s, t)) {
      a.type = std::string(t.substr(0, t.size() - 1));
      break;
    }
  }
  std::string_view ip;
  if (text::Consume(&s, "[")) {  // IPv6 "[fd00::1]:6800"
    size_t close = s.find(']');
    if (close == std::string_view::npos || close == 0) return std::nullopt;
    ip = s.substr(0, close);
    s.remove_prefix(close + 1);
    for (char c : ip) {
      if (!(text::IsDigit(c) || c == ':' || c == '.' || (c >= 'a' && c <= 'f') ||
            (c >= 'A' && c <= 'F') || c == '%')) {
        return std::nullopt;
      }
    }
  } else {
    size_t colon = s.find(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    ip = s.substr(0, colon);
    s.remove_prefix(colon);
    for (char c : ip) {
      if (!(text::IsDigit(c) || c == '.')) return std::nullopt;
    }
  }
  if (!text::Consume(&s, ":")) return std::nullopt;
  auto port = text::ConsumeUint(&s);
  if (!port || *port > 65535) return std::nullopt;
  a.ip = std::string(ip);
  a.port = static_cast<int>(*port);
  if (text::Consume(&s, "/")) {
    auto nonce = text::ConsumeUint(&s);
    if (!nonce) return std::nullopt;
    a.nonce = static_cast<long long>(*nonce);
  }
  if (!s.empty()) return std::nullopt;
  return a;
}

std::vector<CephAddr> ParseCephAddrVec(std::string_view s) {
  s = text::Trim(s);
  std::vector<CephAddr> out;
  // An addrvec is "[v2:...,v1:...]"; a bare IPv6 address "[fd00::1]:6800" also starts with '['
  // but its ']' is followed by ':'.
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') {
    for (std::string_view part : text::Split(s.substr(1, s.size() - 2), ',')) {
      if (auto a = ParseCephAddr(part)) out.push_back(std::move(*a));
    }
    return out;
  }
  if (auto a = ParseCephAddr(s)) out.push_back(std::move(*a));
  return out;
}

std::string CephAddrIp(std::string_view s) {
  auto v = ParseCephAddrVec(s);
  return v.empty() ? std::string() : v.front().ip;
}

std::string_view CephJsonKindName(CephJsonKind k) {
  switch (k) {
    case CephJsonKind::kHealth:
      return "health";
    case CephJsonKind::kOsdNetwork:
      return "dump_osd_network";
    case CephJsonKind::kOsdDump:
      return "osd_dump";
    case CephJsonKind::kOsdTree:
      return "osd_tree";
    case CephJsonKind::kOsdMetadata:
      return "osd_metadata";
    case CephJsonKind::kUnknown:
      break;
  }
  return "unknown";
}

CephJsonKind DetectCephJson(const json& doc) {
  if (doc.is_object()) {
    if (doc.contains("checks") && doc.contains("status")) return CephJsonKind::kHealth;
    // `ceph status -f json` embeds the health object.
    if (doc.contains("health") && doc["health"].is_object() && doc["health"].contains("checks")) {
      return CephJsonKind::kHealth;
    }
    if (doc.contains("entries") && doc.contains("threshold")) return CephJsonKind::kOsdNetwork;
    if (doc.contains("osds") && doc.contains("epoch")) return CephJsonKind::kOsdDump;
    if (doc.contains("nodes") && doc["nodes"].is_array()) return CephJsonKind::kOsdTree;
    if (doc.contains("hostname") && doc.contains("id")) return CephJsonKind::kOsdMetadata;
  } else if (doc.is_array() && !doc.empty() && doc[0].is_object() && doc[0].contains("id") &&
             (doc[0].contains("hostname") || doc[0].contains("front_addr"))) {
    return CephJsonKind::kOsdMetadata;
  }
  return CephJsonKind::kUnknown;
}

namespace {

// The IP of an `{"addrvec":[{"type":"v2","addr":"ip:port","nonce":N},...]}` object.
std::string AddrvecIp(const json& o) {
  if (!o.is_object()) return {};
  auto it = o.find("addrvec");
  if (it == o.end() || !it->is_array()) return {};
  for (const json& a : *it) {
    std::string addr = JsonString(a, "addr");
    if (auto p = ParseCephAddr(addr)) return p->ip;
  }
  return {};
}

// Renders an addrvec object back into Ceph's text form "[v2:ip:port/nonce,v1:...]".
std::string AddrvecText(const json& o) {
  if (!o.is_object()) return {};
  auto it = o.find("addrvec");
  if (it == o.end() || !it->is_array()) return {};
  std::vector<std::string> parts;
  for (const json& a : *it) {
    std::string type = JsonString(a, "type");
    std::string s = (type.empty() || type == "any") ? "" : type + ":";
    s += JsonString(a, "addr");
    if (a.contains("nonce") && a["nonce"].is_number_integer()) {
      s += "/" + std::to_string(a["nonce"].get<long long>());
    }
    parts.push_back(std::move(s));
  }
  if (parts.size() == 1) return parts[0];
  std::string out = "[";
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "," : "") + parts[i];
  return out + "]";
}

}  // namespace

Status ReadCephOsdDump(const json& doc, const std::string& file, CephSink* sink) {
  if (!doc.is_object() || !doc.contains("osds") || !doc["osds"].is_array()) {
    return Status::Unrecognized(file + ": not `ceph osd dump -f json` (no \"osds\" array)");
  }
  for (const json& o : doc["osds"]) {
    CephOsdInfo info;
    info.loc.file = file;
    info.id = JsonInt(o, "osd");
    if (info.id < 0) {
      sink->OnWarning({{file, 0, 0}, "osd dump entry without an \"osd\" id, skipped"});
      continue;
    }
    // Nautilus+ have *_addrs addrvec objects; every version has the legacy strings.
    info.public_ip = AddrvecIp(o.contains("public_addrs") ? o["public_addrs"] : json());
    if (info.public_ip.empty()) info.public_ip = CephAddrIp(JsonString(o, "public_addr"));
    info.cluster_ip = AddrvecIp(o.contains("cluster_addrs") ? o["cluster_addrs"] : json());
    if (info.cluster_ip.empty()) info.cluster_ip = CephAddrIp(JsonString(o, "cluster_addr"));
    if (info.cluster_ip.empty()) info.cluster_ip = CephAddrIp(JsonString(o, "heartbeat_back_addr"));
    info.public_addr = AddrvecText(o.contains("public_addrs") ? o["public_addrs"] : json());
    if (info.public_addr.empty()) info.public_addr = JsonString(o, "public_addr");
    info.cluster_addr = AddrvecText(o.contains("cluster_addrs") ? o["cluster_addrs"] : json());
    if (info.cluster_addr.empty()) info.cluster_addr = JsonString(o, "cluster_addr");
    info.up = JsonInt(o, "up");
    sink->OnOsdInfo(info);
  }
  return Status::Ok();
}

Status ReadCephOsdTree(const json& doc, const std::string& file, CephSink* sink) {
  if (!doc.is_object() || !doc.contains("nodes") || !doc["nodes"].is_array()) {
    return Status::Unrecognized(file + ": not `ceph osd tree -f json` (no \"nodes\" array)");
  }
  // Buckets list their children by id; an OSD's host is the host bucket that lists it.
  for (const json& n : doc["nodes"]) {
    if (JsonString(n, "type") != "host" || !n.contains("children") || !n["children"].is_array()) {
      continue;
    }
    std::string host = JsonString(n, "name");
    for (const json& c : n["children"]) {
      // Negative ids are buckets, not OSDs.
      if (c.is_number_integer() && !c.is_number_unsigned() && c.get<int64_t>() < 0) continue;
      if (!c.is_number_unsigned() || c.get<uint64_t>() > INT32_MAX) {
        sink->OnWarning({{file, 0, 0},
                         "osd tree host \"" + host + "\" lists child " + c.dump() +
                             ", not an OSD id; skipped"});
        continue;
      }
      CephOsdInfo info;
      info.loc.file = file;
      info.id = static_cast<int>(c.get<uint64_t>());
      info.crush_host = host;
      sink->OnOsdInfo(info);
    }
  }
  for (const json& n : doc["nodes"]) {
    if (JsonString(n, "type") != "osd") continue;
    CephOsdInfo info;
    info.loc.file = file;
    info.id = JsonInt(n, "id");
    if (info.id < 0) {
      sink->OnWarning({{file, 0, 0},
                       "osd tree node of type \"osd\" without an \"id\" (" + JsonString(n, "name") +
                           "), skipped"});
      continue;
    }
    std::string status = JsonString(n, "status");
    info.up = status == "up" ? 1 : (status.empty() ? -1 : 0);
    sink->OnOsdInfo(info);
  }
  return Status::Ok();
}

Status ReadCephOsdMetadata(const json& doc, const std::string& file, CephSink* sink) {
  auto one = [&](const json& m) {
    CephOsdInfo info;
    info.loc.file = file;
    info.id = JsonInt(m, "id");
    if (info.id < 0) {
      sink->OnWarning({{file, 0, 0}, "osd metadata entry without an \"id\", skipped"});
      return;
    }
    info.hostname = JsonString(m, "hostname");
    info.public_addr = JsonString(m, "front_addr");
    info.cluster_addr = JsonString(m, "back_addr");
    info.public_ip = CephAddrIp(info.public_addr);
    info.cluster_ip = CephAddrIp(info.cluster_addr);
    if (info.cluster_ip.empty()) info.cluster_ip = CephAddrIp(JsonString(m, "hb_back_addr"));
    info.front_iface = JsonString(m, "front_iface");
    info.back_iface = JsonString(m, "back_iface");
    sink->OnOsdInfo(info);
  };
  if (doc.is_array()) {
    for (const json& m : doc) one(m);
    return Status::Ok();
  }
  if (doc.is_object() && doc.contains("id")) {
    one(doc);
    return Status::Ok();
  }
  return Status::Unrecognized(file + ": not `ceph osd metadata -f json`");
}

}  // namespace kiriwake::ingest
